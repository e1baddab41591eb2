import type { SessionFamily } from './session-store.js';

/** Why a rotation's condition failed, judged from the stored family alone (no second read). */
export type FailedRotation = 'invalid' | 'superseded' | 'reuse_detected';

/**
 * - no family, a revoked family or an expired one: `invalid` (nothing to protect any more);
 * - the presented secret was current until a rotation at most `reuseGraceMs` ago: `superseded`, a
 *   concurrent refresh with the same token won and this one gets nothing;
 * - anything else is a token of this family that is no longer current (after the grace window, two or
 *   more generations old, or a forged secret, which only a holder of the family id can send): `reuse_detected`.
 */
export const classifyFailedRotation = (
  family: SessionFamily | undefined,
  presentedHash: string,
  nowMs: number,
  reuseGraceMs: number,
): FailedRotation => {
  if (family === undefined || family.revoked || family.absoluteExpiresAtMs <= nowMs) return 'invalid';
  // The condition cannot fail on the current hash of a live family; if a store ever says so, do not revoke.
  if (family.currentHash === presentedHash) return 'invalid';
  if (
    family.previousHash === presentedHash &&
    family.rotatedAtMs !== undefined &&
    nowMs - family.rotatedAtMs <= reuseGraceMs
  ) {
    return 'superseded';
  }
  return 'reuse_detected';
};
