/** Why a session was revoked; stored with the revocation for the audit trail. */
export type SessionRevocationReason = 'logout' | 'refresh_reuse' | 'password_change' | 'administrative';

/** One refresh-token family: a login and every rotation since. Only hashes of secrets are stored. */
export interface SessionFamily {
  readonly familyId: string;
  /** The id carried by the session's access tokens; never the family id. */
  readonly sessionId: string;
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly string[];
  /** Hash of the one secret that may rotate now. */
  readonly currentHash: string;
  /** Hash of the secret current before the last rotation; undefined before the first rotation. */
  readonly previousHash: string | undefined;
  /** When the last rotation happened; undefined before the first rotation. */
  readonly rotatedAtMs: number | undefined;
  /** Number of rotations so far. */
  readonly generation: number;
  /** Fixed at start; rotation never moves it. */
  readonly absoluteExpiresAtMs: number;
  readonly revoked: boolean;
}

export type NewSessionFamily = Omit<SessionFamily, 'previousHash' | 'rotatedAtMs' | 'generation' | 'revoked'>;

export type StoreRotation =
  | { readonly rotated: true; readonly family: SessionFamily }
  /** The condition failed; `family` is the stored item as the condition saw it (undefined: no item). */
  | { readonly rotated: false; readonly family: SessionFamily | undefined };

/** The user record a new session is tied to (see SessionStore.create). */
export interface SessionOwner {
  readonly username: string;
  /** The revision the login read; 0 for a record written before revisions existed. */
  readonly revision: number;
  /** `sessionId:familyId:expiresAtSeconds` (session-ref.ts). */
  readonly ref: string;
}

/**
 * Port for refresh sessions. Every method is one round trip unless stated; implementations throw
 * DependencyUnavailableError for any backend failure and never for a failed condition, which is an
 * answer.
 */
export interface SessionStore {
  /**
   * Writes the family and the session pointer atomically, both only if absent. `collision` means an id
   * was already taken (only a broken random source gets there).
   */
  readonly create: (request: {
    readonly family: NewSessionFamily;
    /** TTL of both items, epoch seconds. */
    readonly expiresAtSeconds: number;
    /**
     * The user record the session belongs to, as the login read it: in the same transaction the record
     * gains the session's reference, on condition that it is still that user (`userId`), not disabled,
     * and at `revision`. Otherwise nothing is written and the answer is `owner_changed`.
     */
    readonly owner?: SessionOwner;
  }) => Promise<'created' | 'collision' | 'owner_changed'>;

  /**
   * The rotation is this one conditional write: iff the family exists, `currentHash` is
   * `presentedHash`, it is not revoked and `absoluteExpiresAtMs > nowMs`, then previousHash :=
   * presentedHash, currentHash := nextHash, rotatedAtMs := nowMs, generation += 1. On a failed
   * condition the stored family comes back, so the caller can tell why without a read.
   */
  readonly rotate: (request: {
    readonly familyId: string;
    readonly presentedHash: string;
    readonly nextHash: string;
    readonly nowMs: number;
  }) => Promise<StoreRotation>;

  /** Strongly consistent read of a family. */
  readonly findFamily: (familyId: string) => Promise<SessionFamily | undefined>;

  /** Strongly consistent read of the family a session belongs to. */
  readonly findFamilyIdOfSession: (sessionId: string) => Promise<string | undefined>;

  /**
   * Atomically marks the family revoked and writes the session's revocation marker. Idempotent: the
   * first reason and time are kept. `unknown` when no family `familyId` with session `sessionId` exists
   * (nothing is written then).
   */
  readonly revoke: (request: {
    readonly familyId: string;
    readonly sessionId: string;
    readonly reason: SessionRevocationReason;
    readonly revokedAtMs: number;
    /** TTL of the revocation marker, epoch seconds: after every access token of the session expired. */
    readonly markerExpiresAtSeconds: number;
  }) => Promise<'revoked' | 'unknown'>;

  /** Strongly consistent: is there a revocation marker for this session? */
  readonly isRevoked: (sessionId: string) => Promise<boolean>;
}
