/**
 * API-key parsing: whatever arrives in the key header (or beside it), the answer is a 401 problem, never
 * a 500 or 503, never the key echoed, and never a principal when the request carries two credentials.
 */
import { randomBytes } from 'node:crypto';
import { expectJson, expectRefused } from '../expect-answer.js';
import { type SecurityCheck, skip, variant } from '../security-check.js';
import { bearer, logIn, type Target } from '../target.js';

/** An admin route: a key that slips through would list keys, a read that changes nothing. */
const path = '/admin/api-keys';

const base32 = 'abcdefghijklmnopqrstuvwxyz234567';
const keyId = (length = 20): string =>
  `bwk_${Array.from(randomBytes(length), (byte) => base32[byte % 32]).join('')}`;
const secret = (length = 43): string => randomBytes(48).toString('base64url').slice(0, length);
/** A key of the right shape that the server never issued. */
export const wellFormedKey = (): string => `${keyId()}:${secret()}`;

/** Header values travel as bytes: UTF-8 text is sent as its bytes (node:http writes latin1 strings byte for byte). */
const utf8Bytes = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

type Headers = Record<string, string | readonly string[]>;
type Variants = (target: Target) => Promise<readonly (readonly [string, Headers, readonly string[]])[]>;

const refusedKeys = (id: string, proves: string, variants: Variants): SecurityCheck => ({
  id,
  proves,
  run: async (target) => {
    const client = target.client();
    for (const [label, headers, sent] of await variants(target))
      await variant(label, async () =>
        expectRefused(await client.send({ path, headers }), 401, ['invalid-credentials', 'unauthenticated'], {
          sent,
        }),
      );
  },
});

const keyHeader =
  (target: Target) =>
  (value: string | readonly string[]): Headers => ({ [target.apiKeyHeader]: value });

const malformed = (
  id: string,
  proves: string,
  values: (target: Target) => readonly (readonly [string, string])[],
): SecurityCheck =>
  refusedKeys(id, proves, async (target) =>
    values(target).map(([label, value]) => [label, keyHeader(target)(value), [value]] as const),
  );

export const apiKeyParsingChecks: readonly SecurityCheck[] = [
  {
    id: 'api-key.control-valid',
    proves: `the admin API key the suite was given reads GET ${path} (the control for the malformed keys)`,
    run: async (target) => {
      if (target.adminApiKey === undefined) skip('needs an admin API key (BULWARK_API_KEY)');
      const answer = await target
        .client()
        .send({ path, headers: keyHeader(target)(target.adminApiKey ?? '') });
      expectJson(answer, 200, 'the admin API key');
    },
  },
  malformed('api-key.missing-colon', 'keys without the colon between id and secret get 401', () => [
    ['no separator', `${keyId()}${secret()}`],
    ['semicolon', `${keyId()};${secret()}`],
    ['space', `${keyId()} ${secret()}`],
  ]),
  malformed('api-key.wrong-prefix', 'keys without the exact bwk_ prefix get 401', () => [
    ['BWK_', `${keyId().replace('bwk_', 'BWK_')}:${secret()}`],
    ['bwx_', `${keyId().replace('bwk_', 'bwx_')}:${secret()}`],
    ['sk_live_', `sk_live_${secret(20)}:${secret()}`],
    ['no prefix', `${keyId().slice(4)}xxxx:${secret()}`],
  ]),
  malformed(
    'api-key.wrong-lengths',
    'keys whose id or secret is a character short or long, or empty, get 401',
    () => [
      ['id of 19', `${keyId(19)}:${secret()}`],
      ['id of 21', `${keyId(21)}:${secret()}`],
      ['secret of 42', `${keyId()}:${secret(42)}`],
      ['secret of 44', `${keyId()}:${secret(44)}`],
      ['empty secret', `${keyId()}:`],
      ['empty id', `:${secret()}`],
      ['colon only', ':'],
    ],
  ),
  malformed(
    'api-key.unicode',
    'keys carrying non-ASCII bytes (UTF-8, Latin-1, fullwidth letters, emoji) get 401',
    () => [
      ['Cyrillic id', utf8Bytes(`bwk_${'ключ'.repeat(5)}:${secret()}`)],
      ['emoji secret', utf8Bytes(`${keyId()}:${secret(41)}😀`)],
      ['Latin-1 byte', `${keyId()}:${secret(42)}\u00e9`],
      ['fullwidth prefix', utf8Bytes(`ｂｗｋ_${keyId().slice(4)}:${secret()}`)],
    ],
  ),
  malformed('api-key.huge', 'keys of 8,000 characters get 401 (not 500, not a slow answer)', () => [
    ['huge id', `bwk_${'a'.repeat(8000)}:${secret()}`],
    ['huge secret', `${keyId()}:${'A'.repeat(8000)}`],
    ['huge junk', 'x'.repeat(8000)],
  ]),
  refusedKeys(
    'api-key.two-keys',
    'a request with two API keys (two header lines in either order, or one comma-joined value) gets 401, even when one of them is valid',
    async (target) => {
      const header = keyHeader(target);
      const junk = wellFormedKey();
      const other = target.adminApiKey ?? wellFormedKey();
      return [
        ['two header lines, valid one last', header([junk, other]), [junk, other]],
        ['two header lines, valid one first', header([other, junk]), [junk, other]],
        ['comma-joined', header(`${other},${junk}`), [junk, other]],
        ['comma-joined with a space', header(`${junk}, ${other}`), [junk, other]],
      ];
    },
  ),
  refusedKeys(
    'api-key.key-plus-bearer',
    'a request with an API key and a Bearer token gets 401 whichever of them is valid: exactly one credential per request',
    async (target) => {
      const header = keyHeader(target);
      const junkKey = wellFormedKey();
      const junkToken = `${randomBytes(24).toString('base64url')}.${randomBytes(48).toString('base64url')}.${randomBytes(64).toString('base64url')}`;
      const variants: [string, Headers, string[]][] = [
        ['junk key and junk token', { ...header(junkKey), ...bearer(junkToken) }, [junkKey, junkToken]],
      ];
      if (target.adminApiKey !== undefined) {
        const { access_token: token } = await logIn(target.client(), await target.throwawayUser());
        variants.push(
          ['valid key and junk token', { ...header(target.adminApiKey), ...bearer(junkToken) }, [junkToken]],
          ['junk key and valid token', { ...header(junkKey), ...bearer(token) }, [junkKey, token]],
          ['valid key and valid token', { ...header(target.adminApiKey), ...bearer(token) }, [token]],
        );
      }
      return variants;
    },
  ),
];
