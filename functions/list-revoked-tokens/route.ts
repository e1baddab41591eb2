import * as z from 'zod/mini';
import { secureRoute } from '../../shared/chain/secure-route.js';
import {
  decodeRevocationCursor,
  encodeRevocationCursor,
  REVOCATION_FEED_RETENTION_MS,
} from '../../shared/domain/realtime/revocation-cursor.js';
import { fieldErrorsOf } from '../../shared/errors/field-errors.js';
import { RequestValidationError } from '../../shared/errors/request-errors.js';
import { jsonResponse } from '../../shared/http/json-response.js';
import { routes } from '../../shared/routes/route-table.js';
import { realtimeStoreFor } from '../../shared/runtime/realtime-store-for.js';

/**
 * Entries younger than this are not listed yet: the feed is written by the revocation stream a moment
 * after the revocation, so a cursor never moves past an entry still being recorded.
 */
const settleMs = 2_000;

const query = z.strictObject({
  after: z.optional(
    z.string().check(
      z.maxLength(512),
      z.refine(
        (text) => decodeRevocationCursor(text) !== undefined,
        'must be a cursor this endpoint returned',
      ),
    ),
  ),
  limit: z.optional(
    z.pipe(
      z.pipe(
        z.string().check(z.regex(/^\d{1,3}$/, 'must be a whole number from 1 to 500')),
        z.transform(Number),
      ),
      z.number().check(z.int(), z.minimum(1), z.maximum(500)),
    ),
  ),
});

const responses = {
  200: {
    description: 'Revocations after the cursor, oldest first, and the cursor to ask from next',
    body: z.strictObject({
      revoked: z.array(
        z.strictObject({
          kind: z.enum(['session', 'api_key']),
          id: z.string(),
          revoked_at: z.iso.datetime({ offset: true }),
        }),
      ),
      cursor: z.string().clone().register(z.globalRegistry, { description: 'Pass as `after` next time' }),
    }),
  },
} as const;

/**
 * For a self-hosted gateway (role `gateway`): sessions and API keys revoked since a cursor, oldest
 * first, so it can close its own connections. Without `after`, the feed's whole retention (24 hours).
 * Answer: `{ revoked: [{ kind, id, revoked_at }], cursor }`; pass `cursor` as `after` next time.
 */
export const route = secureRoute(
  routes,
  'list-revoked-tokens',
  // The query is validated here (422 `validation-failed`), not by the chain.
  { responses, query, problems: ['validation-failed'] },
  (runtime) => {
    const store = realtimeStoreFor(runtime);
    return async ({ event }) => {
      const parameters = event.queryStringParameters ?? {};
      const parsed = query.safeParse(parameters);
      if (!parsed.success) throw new RequestValidationError(fieldErrorsOf(parsed.error, parameters));
      const nowMs = runtime.clock.nowMs();
      const after = (parsed.data.after === undefined
        ? undefined
        : decodeRevocationCursor(parsed.data.after)) ?? {
        atMs: nowMs - REVOCATION_FEED_RETENTION_MS,
        kind: '',
        id: '',
      };
      const entries = await store.revocationsAfter({
        after,
        untilMs: nowMs - settleMs,
        limit: parsed.data.limit ?? 100,
      });
      const last = entries.at(-1);
      return jsonResponse(200, {
        revoked: entries.map((entry) => ({
          kind: entry.kind,
          id: entry.id,
          revoked_at: new Date(entry.revokedAtMs).toISOString(),
        })),
        cursor: encodeRevocationCursor(
          last === undefined ? after : { atMs: last.recordedAtMs, kind: last.kind, id: last.id },
        ),
      });
    };
  },
);
