/**
 * Fuzzing the verifier with fast-check: random strings, random segment combinations and single-edit
 * mutations of a valid token never verify, and every rejection is an AccessTokenInvalidError.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenInvalidError } from '../../../../shared/auth/tokens/access-token-invalid-error.js';
import {
  alice,
  harness,
  keyA,
  rejectionOf,
  signRaw,
  type TokenHarness,
  validClaims,
  validHeader,
} from './token-fixtures.js';

const numRuns = 400;
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

let h: TokenHarness;
let token: string;

beforeAll(async () => {
  h = await harness();
  token = (await h.issuer.issue(alice)).token;
  await expect(h.verifier.verify(token)).resolves.toBeDefined();
});

const expectInvalid = async (candidate: string): Promise<void> => {
  const error = await rejectionOf(h.verifier.verify(candidate));
  expect(error).toBeInstanceOf(AccessTokenInvalidError);
};

const segmentArb = fc.oneof(
  fc.string({ unit: fc.constantFrom(...alphabet), maxLength: 120 }),
  fc.json().map((json) => Buffer.from(json).toString('base64url')),
  fc.string({ maxLength: 40 }),
);

describe('verify, fuzzed', () => {
  it('refuses arbitrary strings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 })),
        expectInvalid,
      ),
      { numRuns },
    );
  });

  it('refuses arbitrary three-segment tokens, with real segments mixed in', async () => {
    const [header = '', payload = '', signature = ''] = token.split('.');
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(segmentArb, fc.constant(header)),
        fc.oneof(segmentArb, fc.constant(payload)),
        fc.oneof(segmentArb, fc.constant(signature)),
        async (a, b, c) => {
          fc.pre(!(a === header && b === payload && c === signature));
          await expectInvalid(`${a}.${b}.${c}`);
        },
      ),
      { numRuns },
    );
  });

  it('refuses every single-character substitution, insertion or deletion of a valid token', async () => {
    const editArb = fc.record({
      kind: fc.constantFrom('substitute', 'insert', 'delete'),
      index: fc.nat({ max: token.length - 1 }),
      char: fc.constantFrom(...alphabet, '.', '=', ' '),
    });
    await fc.assert(
      fc.asyncProperty(editArb, async ({ kind, index, char }) => {
        const mutated =
          kind === 'substitute'
            ? `${token.slice(0, index)}${char}${token.slice(index + 1)}`
            : kind === 'insert'
              ? `${token.slice(0, index)}${char}${token.slice(index)}`
              : `${token.slice(0, index)}${token.slice(index + 1)}`;
        fc.pre(mutated !== token);
        await expectInvalid(mutated);
      }),
      { numRuns },
    );
  });

  it('refuses tokens signed with the real key whose header or claims were changed at random', async () => {
    const headerArb = fc.record(
      {
        alg: fc.constantFrom('EdDSA', 'none', 'HS256'),
        kid: fc.constantFrom(keyA.kid, 'other-kid-0001'),
        typ: fc.constantFrom('at+jwt', 'JWT'),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(
        headerArb,
        fc.dictionary(
          fc.constantFrom('iss', 'aud', 'sub', 'sid', 'jti', 'iat', 'exp', 'roles', 'username'),
          fc.jsonValue(),
        ),
        async (header, changes) => {
          const fullHeader = { ...validHeader(keyA.kid), ...header };
          const isValidHeader =
            fullHeader.alg === 'EdDSA' &&
            fullHeader.kid === keyA.kid &&
            fullHeader.typ === 'at+jwt' &&
            !('extra' in header);
          fc.pre(!isValidHeader || Object.keys(changes).length > 0);
          const claims = { ...validClaims(h.clock), ...changes };
          const signed = signRaw(fullHeader, claims, keyA);
          const error = await rejectionOf(h.verifier.verify(signed)).catch((resolved: unknown) => resolved);
          // A random change can leave the claims valid (a plausible username, say): then it must verify.
          if (error instanceof Error && error.message === 'expected the promise to reject, but it resolved')
            return;
          expect(error).toBeInstanceOf(AccessTokenInvalidError);
        },
      ),
      { numRuns },
    );
  });
});
