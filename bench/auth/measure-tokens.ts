import { randomUUID } from 'node:crypto';
import { accessTokenSettings } from '../../shared/auth/tokens/access-token-settings.js';
import {
  type AccessTokenIssuer,
  createAccessTokenIssuer,
} from '../../shared/auth/tokens/issue-access-token.js';
import { parseSigningKeySet } from '../../shared/auth/tokens/signing-key-set.js';
import {
  type AccessTokenVerifier,
  createAccessTokenVerifier,
} from '../../shared/auth/tokens/verify-access-token.js';
import { systemClock } from '../../shared/domain/clock.js';
import { tokenIssuerFor } from '../../shared/runtime/token-issuer-for.js';
import { tokenVerifierFor } from '../../shared/runtime/token-verifier-for.js';
import { type LatencyStats, latencyStats } from '../latency-stats.js';
import { authBenchRuntime, authBenchSecrets, benchSigningSecretArn } from './auth-bench-runtime.js';

export interface TokenOptions {
  readonly warmupOps: number;
  readonly rounds: number;
  readonly opsPerRound: number;
}

export interface TokenVariantResult {
  readonly id: string;
  readonly label: string;
  readonly stats: LatencyStats;
}

export interface TokenResult {
  readonly variants: readonly TokenVariantResult[];
  readonly tokenBytes: number;
}

interface Variant {
  readonly id: string;
  readonly label: string;
  readonly op: () => Promise<unknown>;
}

const subject = {
  subject: '01JBENCHUSER0000000000000',
  sessionId: 'bench-session-0001',
  username: 'bench.user',
  roles: ['user'] as const,
};

/**
 * issue() and verify() per operation, EdDSA (Ed25519) through jose, in two wirings: as the runtime
 * builds them for a function (each call reads its key set, private for issue and public for verify,
 * through the cached secret store and the per-value parse memo), and with the
 * imported key set handed over directly (the token work alone). Variants interleave round by round.
 */
export const measureTokens = async (options: TokenOptions): Promise<TokenResult> => {
  const secrets = await authBenchSecrets();
  const runtime = authBenchRuntime(secrets, {});
  const wiredIssuer: AccessTokenIssuer = tokenIssuerFor(runtime).issuer;
  const wiredVerifier: AccessTokenVerifier = tokenVerifierFor(runtime);

  const set = await parseSigningKeySet(secrets[benchSigningSecretArn], benchSigningSecretArn);
  const settings = accessTokenSettings({ issuer: 'bulwark', audience: 'bulwark-api' });
  const keys = () => Promise.resolve(set);
  const directIssuer = createAccessTokenIssuer({ keys, settings, clock: systemClock, newId: randomUUID });
  const directVerifier = createAccessTokenVerifier({ keys, settings, clock: systemClock });

  const { token } = await wiredIssuer.issue(subject);
  const checked = await directVerifier.verify(token);
  if (checked.sid !== subject.sessionId) throw new Error('the issued token did not verify');

  const variants: Variant[] = [
    {
      id: 'verify-wired',
      label: 'verify(), as the runtime wires it',
      op: () => wiredVerifier.verify(token),
    },
    { id: 'verify-direct', label: 'verify(), key set passed in', op: () => directVerifier.verify(token) },
    { id: 'issue-wired', label: 'issue(), as the runtime wires it', op: () => wiredIssuer.issue(subject) },
    { id: 'issue-direct', label: 'issue(), key set passed in', op: () => directIssuer.issue(subject) },
  ];

  for (const variant of variants) {
    for (let index = 0; index < options.warmupOps; index += 1) await variant.op();
  }
  const samples = variants.map(() => new Float64Array(options.rounds * options.opsPerRound));
  for (let round = 0; round < options.rounds; round += 1) {
    for (const [position, variant] of variants.entries()) {
      const into = samples[position] as Float64Array;
      for (let index = 0; index < options.opsPerRound; index += 1) {
        const started = process.hrtime.bigint();
        await variant.op();
        into[round * options.opsPerRound + index] = Number(process.hrtime.bigint() - started);
      }
    }
  }
  return {
    variants: variants.map((variant, position) => ({
      id: variant.id,
      label: variant.label,
      stats: latencyStats(samples[position] as Float64Array),
    })),
    tokenBytes: token.length,
  };
};
