import { randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import { classifyFailedRotation } from './classify-failed-rotation.js';
import {
  assertSessionId,
  issueRefreshToken,
  newFamilyId,
  newSessionId,
  parseRefreshToken,
  type RandomBytes,
} from './refresh-token.js';
import { REVOCATION_SLACK_SECONDS, revokeSessionRefs } from './revoke-session-refs.js';
import { formatSessionRef } from './session-ref.js';
import type { SessionRevocationReason, SessionStore } from './session-store.js';

export interface RefreshSessionSettings {
  /** Lifetime of a family from login; rotation never extends it. */
  readonly absoluteLifetimeSeconds: number;
  /** How long the token current just before a rotation answers `superseded` instead of `reuse_detected`. */
  readonly reuseGraceSeconds: number;
  /** Lifetime of the access tokens issued with these sessions; sizes how long a revocation is kept. */
  readonly accessTokenLifetimeSeconds: number;
}

export interface RefreshSessionsOptions {
  readonly store: SessionStore;
  readonly clock: Clock;
  readonly settings: RefreshSessionSettings;
  /** Defaults to node:crypto `randomBytes`. */
  readonly random?: RandomBytes;
  /** Called once per detected reuse, after the family is revoked (the `refresh_reuse_detected` metric). */
  readonly onReuseDetected?: (sessionId: string) => void;
}

export interface SessionPrincipal {
  readonly userId: string;
  readonly username: string;
  readonly roles: readonly string[];
  /**
   * The revision of the user record the login read. When given, the session starts only if the record
   * is still at it (and not disabled), and the record gains the session's reference in the same write.
   */
  readonly revision?: number;
}

/** A user record changed between the login's read and its session write: no session was started. */
export class SessionOwnerChangedError extends Error {
  readonly code = 'ERR_SESSION_OWNER_CHANGED';

  constructor() {
    super('the user record changed while the login was checked');
    this.name = 'SessionOwnerChangedError';
  }
}

export interface ActiveSession extends SessionPrincipal {
  readonly sessionId: string;
  readonly absoluteExpiresAtMs: number;
}

export interface StartedSession {
  readonly refreshToken: string;
  readonly sessionId: string;
  readonly absoluteExpiresAtMs: number;
}

export type RotationResult =
  | { readonly outcome: 'rotated'; readonly refreshToken: string; readonly session: ActiveSession }
  /** A concurrent refresh with the same token won within the grace window; no token for this one. */
  | { readonly outcome: 'superseded' }
  /** A no-longer-current token of the family was presented: the family and its access tokens are revoked. */
  | { readonly outcome: 'reuse_detected'; readonly sessionId: string }
  /** Malformed, unknown, expired or already revoked. */
  | { readonly outcome: 'invalid' };

export interface RefreshSessions {
  /** Starts a family at login. Two writes in one transaction. */
  readonly start: (principal: SessionPrincipal) => Promise<StartedSession>;
  /** Exchanges a refresh token for its successor. One conditional write, plus a transaction on reuse. */
  readonly rotate: (refreshToken: string) => Promise<RotationResult>;
  /** Logout with an access token. Idempotent; an unknown session is a no-op (`unknown`). */
  readonly revokeSession: (
    sessionId: string,
    reason: SessionRevocationReason,
  ) => Promise<'revoked' | 'unknown'>;
  /**
   * Logout with a refresh token: revokes its family and session. Any token of the family will do (a
   * replayed one could revoke the family through `rotate` anyway). Malformed or unknown: a no-op. With
   * `ownedBy`, a family of another user is unknown too: a logged-in user revokes only their own.
   */
  readonly revokeRefreshToken: (
    refreshToken: string,
    reason: SessionRevocationReason,
    options?: { readonly ownedBy?: string },
  ) => Promise<'revoked' | 'unknown'>;
  /** Whether the session's access tokens are revoked. One consistent read. */
  readonly isSessionRevoked: (sessionId: string) => Promise<boolean>;
  /**
   * Revokes the sessions a user record names (its `sessionRefs`): families and access tokens, each as
   * logout does, a few at a time. Malformed references are skipped. Resolves with how many were revoked
   * now (already revoked ones count too; sessions whose items expired do not); throws if any failed, so
   * the caller keeps the references for a retry.
   */
  readonly revokeRefs: (refs: readonly string[], reason: SessionRevocationReason) => Promise<number>;
}

const settingNames = ['absoluteLifetimeSeconds', 'reuseGraceSeconds', 'accessTokenLifetimeSeconds'] as const;
const revocationSlackSeconds = REVOCATION_SLACK_SECONDS;
/** The family outlives its absolute expiry by a day so a late replay still finds it (TTL only cleans up). */
const familyRetentionSeconds = 86_400;

const validateSettings = (settings: RefreshSessionSettings): RefreshSessionSettings => {
  const unknown = Object.keys(settings).filter((key) => !(settingNames as readonly string[]).includes(key));
  if (unknown.length > 0) throw new TypeError(`unknown refresh session settings: ${unknown.join(', ')}`);
  for (const name of settingNames) {
    const value = settings[name];
    const minimum = name === 'reuseGraceSeconds' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < minimum) {
      throw new TypeError(`${name} must be an integer >= ${minimum}`);
    }
  }
  if (settings.reuseGraceSeconds >= settings.absoluteLifetimeSeconds) {
    throw new TypeError('reuseGraceSeconds must be shorter than absoluteLifetimeSeconds');
  }
  return Object.freeze({ ...settings });
};

const validatePrincipal = (principal: SessionPrincipal): SessionPrincipal => {
  const { userId, username, roles } = principal;
  if (typeof userId !== 'string' || userId === '') throw new TypeError('userId must be a non-empty string');
  if (typeof username !== 'string' || username === '') {
    throw new TypeError('username must be a non-empty string');
  }
  if (!Array.isArray(roles) || roles.some((role) => typeof role !== 'string' || role === '')) {
    throw new TypeError('roles must be an array of non-empty strings');
  }
  return { userId, username, roles: [...roles] };
};

/**
 * Refresh-token families with rotation (ADR 0007). The rotation is one conditional write on the family;
 * a failed condition returns the stored family, from which `superseded`, `reuse_detected` or `invalid`
 * is decided without a read. Policy lives here; the store only does I/O.
 */
export const createRefreshSessions = (options: RefreshSessionsOptions): RefreshSessions => {
  const { store, clock, onReuseDetected } = options;
  const random = options.random ?? randomBytes;
  const settings = validateSettings(options.settings);
  const reuseGraceMs = settings.reuseGraceSeconds * 1000;

  const revoke = (
    family: { familyId: string; sessionId: string },
    reason: SessionRevocationReason,
  ): Promise<'revoked' | 'unknown'> => {
    const nowMs = clock.nowMs();
    return store.revoke({
      familyId: family.familyId,
      sessionId: family.sessionId,
      reason,
      revokedAtMs: nowMs,
      markerExpiresAtSeconds:
        Math.ceil(nowMs / 1000) + settings.accessTokenLifetimeSeconds + revocationSlackSeconds,
    });
  };

  return {
    start: async (principal) => {
      const { userId, username, roles } = validatePrincipal(principal);
      const familyId = newFamilyId(random);
      const sessionId = newSessionId(random);
      const { refreshToken, secretHash } = issueRefreshToken(familyId, random);
      const absoluteExpiresAtMs = clock.nowMs() + settings.absoluteLifetimeSeconds * 1000;
      const expiresAtSeconds = Math.ceil(absoluteExpiresAtMs / 1000) + familyRetentionSeconds;
      const created = await store.create({
        ...(principal.revision === undefined
          ? {}
          : {
              owner: {
                username,
                revision: principal.revision,
                ref: formatSessionRef({ sessionId, familyId, expiresAtSeconds }),
              },
            }),
        family: {
          familyId,
          sessionId,
          userId,
          username,
          roles,
          currentHash: secretHash,
          absoluteExpiresAtMs,
        },
        expiresAtSeconds,
      });
      if (created === 'owner_changed') throw new SessionOwnerChangedError();
      if (created === 'collision')
        throw new Error('refresh session id collision: the random source is broken');
      return { refreshToken, sessionId, absoluteExpiresAtMs };
    },

    rotate: async (refreshToken) => {
      const parsed = parseRefreshToken(refreshToken);
      if (parsed === undefined) return { outcome: 'invalid' };
      const next = issueRefreshToken(parsed.familyId, random);
      const nowMs = clock.nowMs();
      const result = await store.rotate({
        familyId: parsed.familyId,
        presentedHash: parsed.secretHash,
        nextHash: next.secretHash,
        nowMs,
      });
      if (result.rotated) {
        const { sessionId, userId, username, roles, absoluteExpiresAtMs } = result.family;
        return {
          outcome: 'rotated',
          refreshToken: next.refreshToken,
          session: { sessionId, userId, username, roles, absoluteExpiresAtMs },
        };
      }
      const family = result.family;
      const failure = classifyFailedRotation(family, parsed.secretHash, nowMs, reuseGraceMs);
      if (failure === 'superseded') return { outcome: 'superseded' };
      if (failure === 'invalid' || family === undefined) return { outcome: 'invalid' };
      await revoke(family, 'refresh_reuse');
      onReuseDetected?.(family.sessionId);
      return { outcome: 'reuse_detected', sessionId: family.sessionId };
    },

    revokeSession: async (sessionId, reason) => {
      assertSessionId(sessionId);
      const familyId = await store.findFamilyIdOfSession(sessionId);
      if (familyId === undefined) return 'unknown';
      return revoke({ familyId, sessionId }, reason);
    },

    revokeRefreshToken: async (refreshToken, reason, options = {}) => {
      const parsed = parseRefreshToken(refreshToken);
      if (parsed === undefined) return 'unknown';
      const family = await store.findFamily(parsed.familyId);
      if (family === undefined) return 'unknown';
      if (options.ownedBy !== undefined && family.userId !== options.ownedBy) return 'unknown';
      return revoke(family, reason);
    },

    isSessionRevoked: async (sessionId) => store.isRevoked(assertSessionId(sessionId)),

    revokeRefs: (refs, reason) =>
      revokeSessionRefs(
        { store, clock, accessTokenLifetimeSeconds: settings.accessTokenLifetimeSeconds },
        refs,
        reason,
      ),
  };
};
