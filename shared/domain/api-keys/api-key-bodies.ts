import * as z from 'zod';
import { roles } from '../users/user.js';
import type { ApiKeyRateLimit, ApiKeyView } from './api-key.js';
import { API_KEY_CREDENTIAL_PATTERN, API_KEY_ID_PATTERN } from './api-key-credential.js';
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

const instant = z.iso.datetime({ offset: true });

/** An API key's metadata as the admin API answers it: never the secret, never its hash. */
export const apiKeyViewBody = z
  .strictObject({
    key_id: z.string().regex(API_KEY_ID_PATTERN),
    name: z.string(),
    roles: z.array(z.enum(roles)),
    rate_limit: z
      .union([
        z.literal('unlimited'),
        z.strictObject({ burst: z.int().min(1), per_seconds: z.int().min(1) }),
        z.null(),
      ])
      .meta({ description: "The key's own token bucket, `unlimited`, or null for the route's policy" }),
    expires_at: instant.nullable(),
    revoked: z.boolean(),
    created_at: instant,
    updated_at: instant,
  })
  .meta({ id: 'ApiKey', description: 'An API key without its secret' });

/** `POST /admin/api-keys`: the metadata and, this once, the credential itself. */
export const issuedApiKeyBody = apiKeyViewBody
  .extend({
    api_key: z
      .string()
      .regex(API_KEY_CREDENTIAL_PATTERN)
      .meta({ description: '`key_id:secret`, shown once: send it in the API key header' }),
  })
  .meta({ id: 'IssuedApiKey', description: 'A new API key with its credential (shown once)' });

/** Compile-time tie: the admin API's view is what the schema describes. */
export const asApiKeyViewBody = (view: ApiKeyView): z.input<typeof apiKeyViewBody> => ({
  ...view,
  roles: [...view.roles],
});
