import type { Clock } from '../clock.js';
import { parseSessionRef } from './session-ref.js';
import type { SessionRevocationReason, SessionStore } from './session-store.js';

/** How many sessions of one user are revoked at once (each is one transaction). */
const revocationConcurrency = 8;
/** Slack on the revocation marker beyond the access-token lifetime, for clock skew and in-flight issues. */
export const REVOCATION_SLACK_SECONDS = 60;

/**
 * Revokes the sessions a user record names (its `sessionRefs`): each family and its access tokens, as
 * logout does, a few at a time. Malformed references are skipped. Resolves with how many were revoked
 * (already revoked ones count; sessions whose items expired do not); throws if any failed, so the
 * caller keeps the references for a retry.
 */
export const revokeSessionRefs = async (
  deps: {
    readonly store: Pick<SessionStore, 'revoke'>;
    readonly clock: Clock;
    readonly accessTokenLifetimeSeconds: number;
  },
  refs: readonly string[],
  reason: SessionRevocationReason,
): Promise<number> => {
  const parsed = refs.flatMap((text) => {
    const ref = parseSessionRef(text);
    return ref === undefined ? [] : [ref];
  });
  let revoked = 0;
  const failures: unknown[] = [];
  for (let index = 0; index < parsed.length; index += revocationConcurrency) {
    const batch = parsed.slice(index, index + revocationConcurrency);
    const nowMs = deps.clock.nowMs();
    const results = await Promise.allSettled(
      batch.map((ref) =>
        deps.store.revoke({
          familyId: ref.familyId,
          sessionId: ref.sessionId,
          reason,
          revokedAtMs: nowMs,
          markerExpiresAtSeconds:
            Math.ceil(nowMs / 1000) + deps.accessTokenLifetimeSeconds + REVOCATION_SLACK_SECONDS,
        }),
      ),
    );
    for (const result of results) {
      if (result.status === 'rejected') failures.push(result.reason);
      else if (result.value === 'revoked') revoked += 1;
    }
  }
  if (failures.length > 0) throw failures[0];
  return revoked;
};
