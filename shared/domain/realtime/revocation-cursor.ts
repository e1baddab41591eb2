import * as z from 'zod/mini';
import type { RevocationCursor } from './realtime-store.js';

/** How long the revocation feed keeps an entry: far longer than a connection lives (2 hours). */
export const REVOCATION_FEED_RETENTION_MS = 24 * 60 * 60 * 1000;

const cursorSchema = z.strictObject({
  t: z.int().check(z.nonnegative()),
  k: z.string().check(z.maxLength(16)),
  i: z.string().check(z.maxLength(256)),
});

/** Opaque to clients: base64url of the last entry's time, kind and id. */
export const encodeRevocationCursor = (cursor: RevocationCursor): string =>
  Buffer.from(JSON.stringify({ t: cursor.atMs, k: cursor.kind, i: cursor.id }), 'utf8').toString('base64url');

/** The cursor a client sent back, or undefined when it is not one this API wrote. */
export const decodeRevocationCursor = (text: string): RevocationCursor | undefined => {
  if (text.length > 512 || !/^[A-Za-z0-9_-]+$/.test(text)) return undefined;
  try {
    const parsed = cursorSchema.safeParse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
    return parsed.success ? { atMs: parsed.data.t, kind: parsed.data.k, id: parsed.data.i } : undefined;
  } catch {
    return undefined;
  }
};
