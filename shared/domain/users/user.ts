/**
 * `user` and `admin`, plus `health`: a role that may read `GET /health/full` and nothing an admin route
 * guards (for the authenticated health probe's key). `gateway` is for the API keys of a self-hosted realtime
 * gateway: it may call the internal gateway endpoints (`/internal/gateway/...`, ADR 0014) and nothing else
 * needs it.
 */
export const roles = ['user', 'admin', 'health', 'gateway'] as const;
export type Role = (typeof roles)[number];

export interface User {
  readonly id: string;
  readonly username: string;
  readonly email: string | undefined;
  readonly roles: readonly Role[];
  readonly passwordHash: string;
  readonly createdAt: string;
  /** A disabled user cannot log in; disabling revokes every session. Absent on records older than it. */
  readonly disabled?: boolean;
  /**
   * Incremented by every administrative change (roles, disable, password, sessions revoked). A login
   * starts its session only if the record still has the revision it read, so no change races a login.
   */
  readonly revision?: number;
  /** The user's live sessions as `sessionId:familyId:expiresAtSeconds` (internal; never shown). */
  readonly sessionRefs?: readonly string[];
  readonly updatedAt?: string;
}

/** What the API may show of a user: never the password or its hash. */
export interface PublicUser {
  readonly id: string;
  readonly username: string;
  readonly email?: string;
  readonly roles: readonly Role[];
  readonly disabled: boolean;
  readonly created_at: string;
  readonly updated_at?: string;
}

/** Copies named fields only: the hash, the revision and the session references never leave. */
export const toPublicUser = (user: Omit<User, 'passwordHash'>): PublicUser => ({
  id: user.id,
  username: user.username,
  ...(user.email === undefined ? {} : { email: user.email }),
  roles: user.roles,
  disabled: user.disabled === true,
  created_at: user.createdAt,
  ...(user.updatedAt === undefined ? {} : { updated_at: user.updatedAt }),
});
