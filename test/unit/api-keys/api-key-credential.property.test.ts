import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatApiKeyCredential,
  generateApiKeyId,
  generateApiKeySecret,
  parseApiKeyCredential,
} from '../../../shared/domain/api-keys/api-key-credential.js';

/** The secret-scanning pattern the ADR publishes, written out independently of the implementation. */
const scannerPattern = /^bwk_[a-z2-7]{20}:[A-Za-z0-9_-]{43}$/;

const base32 = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz234567');
const base64url = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_');
const wellFormed = fc
  .tuple(
    fc.string({ unit: base32, minLength: 20, maxLength: 20 }),
    fc.string({ unit: base64url, minLength: 43, maxLength: 43 }),
  )
  .map(([id, secret]) => `bwk_${id}:${secret}`);

describe('parseApiKeyCredential (properties)', () => {
  it('parses a string if and only if it matches the published pattern', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'grapheme', maxLength: 80 }),
          fc.string({ unit: 'binary' }),
          wellFormed,
          fc
            .tuple(wellFormed, fc.string(), fc.string())
            .map(([value, before, after]) => before + value + after),
        ),
        (value) => {
          expect(parseApiKeyCredential(value) !== undefined).toBe(scannerPattern.test(value));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('parses every well-formed credential back into its two halves', () => {
    fc.assert(
      fc.property(wellFormed, (value) => {
        const parsed = parseApiKeyCredential(value);
        expect(parsed).toBeDefined();
        expect(`${parsed?.keyId}:${parsed?.secret}`).toBe(value);
      }),
    );
  });

  it('rejects a well-formed credential after any single-character insertion, deletion or replacement outside the alphabet', () => {
    const outside = fc.string({ minLength: 1, maxLength: 1 }).filter((c) => !/[A-Za-z0-9_-]/.test(c));
    fc.assert(
      fc.property(
        wellFormed,
        fc.nat(),
        outside,
        fc.constantFrom('insert', 'delete', 'replace'),
        (value, at, c, edit) => {
          const index = at % value.length;
          const mutated =
            edit === 'insert'
              ? value.slice(0, index) + c + value.slice(index)
              : edit === 'delete'
                ? value.slice(0, index) + value.slice(index + 1)
                : value.slice(0, index) + c + value.slice(index + 1);
          if (edit === 'replace' && value[index] === ':' && c === ':') return;
          expect(parseApiKeyCredential(mutated)).toBeUndefined();
        },
      ),
    );
  });

  it('parses every credential the generator issues', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 52, maxLength: 52 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        let offset = 0;
        const random = (size: number): Buffer => {
          const slice = buffer.subarray(offset, offset + size);
          offset += size;
          return slice;
        };
        const credential = formatApiKeyCredential({
          keyId: generateApiKeyId(random),
          secret: generateApiKeySecret(random),
        });
        expect(credential).toMatch(scannerPattern);
        expect(parseApiKeyCredential(credential)).toBeDefined();
      }),
    );
  });
});
