import * as z from 'zod/mini';
import { roles } from '../users/user.js';
import type { ApiKeyRateLimit, ApiKeyView } from './api-key.js';
import { API_KEY_CREDENTIAL_PATTERN, API_KEY_ID_PATTERN } from './api-key-credential.js';
import { type ApiKeyPatch, apiKeySettingsSchemas, type IssueApiKeyInput } from './api-key-settings.js';

// The admin routes that take these bodies build their schemas when they load.
const { apiKeyBucketBody, apiKeyName, apiKeyRoles } = apiKeySettingsSchemas();

/** The admin API's rate limit: `{ burst, per_seconds }` or the explicit string `'unlimited'`. */
const rateLimitBody = z.union([z.literal('unlimited'), apiKeyBucketBody]);

/** `POST /api-keys` body. */
export const createApiKeyBody = z.strictObject({
  name: apiKeyName,
  roles: apiKeyRoles,
  rate_limit: z.optional(rateLimitBody),
  expires_at: z.optional(z.iso.datetime({ offset: true })),
});

export type CreateApiKeyBody = z.output<typeof createApiKeyBody>;

/** `PATCH /api-keys/{key_id}` body: at least one field; `rate_limit: null` restores the route's policy. */
export const updateApiKeyBody = z
  .strictObject({
    roles: z.optional(apiKeyRoles),
    rate_limit: z.optional(z.nullable(rateLimitBody)),
  })
  .check(
    z.refine((body) => body.roles !== undefined || body.rate_limit !== undefined, {
      message: 'must change at least one of roles, rate_limit',
    }),
  );

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

const instant = () => z.iso.datetime({ offset: true });
const described = <T extends z.ZodMiniType>(schema: T, description: string): T => {
  z.globalRegistry.add(schema, { description });
  return schema;
};

/** An API key's metadata as the admin API answers it: never the secret, never its hash. */
const apiKeyViewShape = {
  key_id: z.string().check(z.regex(API_KEY_ID_PATTERN)),
  name: z.string(),
  roles: z.array(z.enum(roles)),
  rate_limit: described(
    z.union([
      z.literal('unlimited'),
      z.strictObject({ burst: z.int().check(z.gte(1)), per_seconds: z.int().check(z.gte(1)) }),
      z.null(),
    ]),
    "The key's own token bucket, `unlimited`, or null for the route's policy",
  ),
  expires_at: z.nullable(instant()),
  overlap_until: described(
    z.nullable(instant()),
    'Until when the secret a rotation replaced still works; null without overlap',
  ),
  revoked: z.boolean(),
  created_at: instant(),
  updated_at: instant(),
};

export const apiKeyViewBody = z
  .strictObject(apiKeyViewShape)
  .register(z.globalRegistry, { id: 'ApiKey', description: 'An API key without its secret' });

/** `POST /admin/api-keys`: the metadata and, this once, the credential itself. */
export const issuedApiKeyBody = z
  .strictObject({
    ...apiKeyViewShape,
    api_key: described(
      z.string().check(z.regex(API_KEY_CREDENTIAL_PATTERN)),
      '`key_id:secret`, shown once: send it in the API key header',
    ),
  })
  .register(z.globalRegistry, {
    id: 'IssuedApiKey',
    description: 'A new API key with its credential (shown once)',
  });

/** Compile-time tie: the admin API's view is what the schema describes. */
export const asApiKeyViewBody = (view: ApiKeyView): z.input<typeof apiKeyViewBody> => ({
  ...view,
  roles: [...view.roles],
});
