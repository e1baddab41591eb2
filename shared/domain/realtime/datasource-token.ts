import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { ConnectionPrincipal, RealtimeStore } from './realtime-store.js';

/**
 * A datasource token: `bdt_` and 32 random bytes in base64url. Opaque: it means nothing but "this row of
 * the realtime table", which only the gateway consumes (and only a `gateway` principal may introspect),
 * so it is audience-restricted by construction; no access-token key signs it (ADR 0006 keeps that key to
 * login and refresh-token), and nothing in it can be forged or replayed. A valid WebSocket subprotocol
 * token, so it travels in Sec-WebSocket-Protocol.
 */
export const DATASOURCE_TOKEN_PREFIX = 'bdt_';
const tokenPattern = /^bdt_[A-Za-z0-9_-]{43}$/;

/** A datasource token may wait at most this long to be used (the "at most 60 s to connect"). */
export const DATASOURCE_TOKEN_MAX_LIFETIME_SECONDS = 60;

export const isDatasourceToken = (value: unknown): value is string =>
  typeof value === 'string' && tokenPattern.test(value);

/**
 * What the table stores instead of the token: SHA-256, base64url. The token has 256 random bits, so a
 * plain hash is enough; a copy of the table gives no usable token.
 */
export const datasourceTokenHash = (token: string): string =>
  createHash('sha256').update(token, 'utf8').digest('base64url');

/** What a token was minted for: one principal (and its refresh session), one datasource, until `expiresAtMs`. */
export interface DatasourceTokenGrant {
  readonly principal: ConnectionPrincipal;
  readonly datasourceId: string;
  readonly tokenId: string;
  readonly expiresAtMs: number;
}

export interface MintedDatasourceToken {
  readonly token: string;
  readonly tokenId: string;
  readonly expiresInSeconds: number;
}

/**
 * Mints a token: one conditional write of its hash with what it grants. `tokenId` (the hash's first
 * characters) names it in logs; the token itself is never logged or stored.
 */
export const mintDatasourceToken = async (
  dependencies: { readonly store: RealtimeStore; readonly clock: Clock },
  input: {
    readonly principal: ConnectionPrincipal;
    readonly datasourceId: string;
    readonly lifetimeSeconds: number;
  },
): Promise<MintedDatasourceToken> => {
  const { lifetimeSeconds } = input;
  if (
    !Number.isInteger(lifetimeSeconds) ||
    lifetimeSeconds < 1 ||
    lifetimeSeconds > DATASOURCE_TOKEN_MAX_LIFETIME_SECONDS
  ) {
    throw new TypeError(`lifetimeSeconds must be 1 to ${DATASOURCE_TOKEN_MAX_LIFETIME_SECONDS}`);
  }
  const token = `${DATASOURCE_TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
  const hash = datasourceTokenHash(token);
  const tokenId = hash.slice(0, 12);
  await dependencies.store.createToken(hash, {
    principal: input.principal,
    datasourceId: input.datasourceId,
    tokenId,
    expiresAtMs: dependencies.clock.nowMs() + lifetimeSeconds * 1000,
  });
  return { token, tokenId, expiresInSeconds: lifetimeSeconds };
};
