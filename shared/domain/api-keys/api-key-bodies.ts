import * as z from 'zod';
import type { ApiKeyRateLimit } from './api-key.js';
import {
  type ApiKeyPatch,
  apiKeyBucketBody,
  apiKeyName,
  apiKeyRoles,
  type IssueApiKeyInput,
} from './api-key-settings.js';

/** The admin API's rate limit: `{ burst, per_seconds }` or the explicit string `'unlimited'`. */
const rateLimitBody = z.union([z.literal('unlimited'), apiKeyBucketBody]);

/** `POST /api-keys` body. */
export const createApiKeyBody = z.strictObject({
  name: apiKeyName,
  roles: apiKeyRoles,
  rate_limit: rateLimitBody.optional(),
  expires_at: z.iso.datetime({ offset: true }).optional(),
});

export type CreateApiKeyBody = z.output<typeof createApiKeyBody>;

/** `PATCH /api-keys/{key_id}` body: at least one field; `rate_limit: null` restores the route's policy. */
export const updateApiKeyBody = z
  .strictObject({
    roles: apiKeyRoles.optional(),
    rate_limit: rateLimitBody.nullable().optional(),
  })
  .refine((body) => body.roles !== undefined || body.rate_limit !== undefined, {
    message: 'must change at least one of roles, rate_limit',
  });

export type UpdateApiKeyBody = z.output<typeof updateApiKeyBody>;

const rateLimitOf = (body: z.output<typeof rateLimitBody>): ApiKeyRateLimit =>
  body === 'unlimited' ? 'unlimited' : { burst: body.burst, perSeconds: body.per_seconds };

export const issueInputFromBody = (body: CreateApiKeyBody): IssueApiKeyInput => ({
  name: body.name,
  roles: body.roles,
  ...(body.rate_limit === undefined ? {} : { rateLimit: rateLimitOf(body.rate_limit) }),
  ...(body.expires_at === undefined ? {} : { expiresAt: body.expires_at }),
});

export const patchFromBody = (body: UpdateApiKeyBody): ApiKeyPatch => ({
  ...(body.roles === undefined ? {} : { roles: body.roles }),
  ...(body.rate_limit === undefined
    ? {}
    : { rateLimit: body.rate_limit === null ? null : rateLimitOf(body.rate_limit) }),
});

/** `POST /api-keys/{key_id}/rotate` body (optional): how long the replaced secret keeps working. */
export const rotateApiKeyBody = z.strictObject({
  overlap_seconds: z
    .int()
    .min(0)
    .max(7 * 86_400)
    .optional(),
});

export type RotateApiKeyBody = z.output<typeof rotateApiKeyBody>;
