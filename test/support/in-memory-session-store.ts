import type {
  SessionFamily,
  SessionRevocationReason,
  SessionStore,
} from '../../shared/domain/sessions/session-store.js';

interface StoredFamily extends SessionFamily {
  readonly revokedReason?: SessionRevocationReason;
  readonly expiresAtSeconds: number;
}

export interface InMemorySessionStore extends SessionStore {
  /** Operations performed, by method name, so tests can pin what the domain asked for. */
  readonly calls: () => readonly string[];
  readonly marker: (
    sessionId: string,
  ) => { reason: SessionRevocationReason; revokedAtMs: number; expiresAtSeconds: number } | undefined;
}

/** The SessionStore contract in memory, single-threaded, so every operation is trivially atomic. */
export const inMemorySessionStore = (): InMemorySessionStore => {
  const families = new Map<string, StoredFamily>();
  const pointers = new Map<string, string>();
  const markers = new Map<
    string,
    { reason: SessionRevocationReason; revokedAtMs: number; expiresAtSeconds: number }
  >();
  const calls: string[] = [];
  const view = (family: StoredFamily | undefined): SessionFamily | undefined => {
    if (family === undefined) return undefined;
    const { revokedReason: _reason, expiresAtSeconds: _expires, ...rest } = family;
    return { ...rest, roles: [...rest.roles] };
  };

  return {
    calls: () => [...calls],
    marker: (sessionId) => markers.get(sessionId),

    create: async ({ family, expiresAtSeconds }) => {
      calls.push('create');
      if (families.has(family.familyId) || pointers.has(family.sessionId)) return 'collision';
      families.set(family.familyId, {
        ...family,
        roles: [...family.roles],
        previousHash: undefined,
        rotatedAtMs: undefined,
        generation: 0,
        revoked: false,
        expiresAtSeconds,
      });
      pointers.set(family.sessionId, family.familyId);
      return 'created';
    },

    rotate: async ({ familyId, presentedHash, nextHash, nowMs }) => {
      calls.push('rotate');
      const family = families.get(familyId);
      if (
        family === undefined ||
        family.currentHash !== presentedHash ||
        family.revoked ||
        family.absoluteExpiresAtMs <= nowMs
      ) {
        return { rotated: false, family: view(family) };
      }
      const next: StoredFamily = {
        ...family,
        previousHash: presentedHash,
        currentHash: nextHash,
        rotatedAtMs: nowMs,
        generation: family.generation + 1,
      };
      families.set(familyId, next);
      return { rotated: true, family: view(next) as SessionFamily };
    },

    findFamily: async (familyId) => {
      calls.push('findFamily');
      return view(families.get(familyId));
    },

    findFamilyIdOfSession: async (sessionId) => {
      calls.push('findFamilyIdOfSession');
      return pointers.get(sessionId);
    },

    revoke: async ({ familyId, sessionId, reason, revokedAtMs, markerExpiresAtSeconds }) => {
      calls.push('revoke');
      const family = families.get(familyId);
      if (family === undefined || family.sessionId !== sessionId) return 'unknown';
      families.set(familyId, { ...family, revoked: true, revokedReason: family.revokedReason ?? reason });
      if (!markers.has(sessionId)) {
        markers.set(sessionId, { reason, revokedAtMs, expiresAtSeconds: markerExpiresAtSeconds });
      }
      return 'revoked';
    },

    isRevoked: async (sessionId) => {
      calls.push('isRevoked');
      return markers.has(sessionId);
    },
  };
};
