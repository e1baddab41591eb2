/**
 * How a user record names one of its sessions: `<sessionId>:<familyId>:<expiresAtSeconds>`, added by the
 * login that starts the session (in the same transaction) and read back by every administrative change,
 * which revokes them all. Both ids are base64url, so `:` cannot occur inside them.
 */
export interface SessionRef {
  readonly sessionId: string;
  readonly familyId: string;
  /** When the session's items may be deleted (epoch seconds): after it, the reference is stale. */
  readonly expiresAtSeconds: number;
}

const refPattern = /^([A-Za-z0-9_-]{22}):([A-Za-z0-9_-]{22}):(\d{1,12})$/;

export const formatSessionRef = (ref: SessionRef): string =>
  `${ref.sessionId}:${ref.familyId}:${ref.expiresAtSeconds}`;

/** Undefined for anything else (a hand edit): such an entry is skipped, never trusted. */
export const parseSessionRef = (text: string): SessionRef | undefined => {
  const match = refPattern.exec(text);
  if (match === null) return undefined;
  return { sessionId: match[1] ?? '', familyId: match[2] ?? '', expiresAtSeconds: Number(match[3]) };
};
