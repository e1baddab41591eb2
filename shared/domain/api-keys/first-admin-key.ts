import * as z from 'zod/mini';
import type { Clock } from '../clock.js';
import type { ApiKeys } from './create-api-keys.js';

/** A first admin key lives a day by default: long enough to create named admins, short if it leaks. */
export const FIRST_ADMIN_KEY_HOURS_DEFAULT = 24;
export const FIRST_ADMIN_KEY_HOURS_MAX = 168;

/** What the operator sends (`aws lambda invoke --payload`); every member optional, nothing else allowed. */
export const firstAdminRequest = z.strictObject({
  name: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
  expires_in_hours: z.optional(z.int().check(z.minimum(1), z.maximum(FIRST_ADMIN_KEY_HOURS_MAX))),
  force: z.optional(z.boolean()),
});

export interface FirstAdminKey {
  /** `key_id:secret`, in this answer only. */
  readonly api_key: string;
  readonly key_id: string;
  readonly expires_at: string;
  readonly next: string;
}

/** The stage already has an admin key (or the request is malformed): nothing was issued. */
export class FirstAdminRefusedError extends Error {
  readonly code = 'first-admin-refused';

  constructor(message: string) {
    super(message);
    this.name = 'FirstAdminRefusedError';
  }
}

/**
 * Issues the first admin API key of a freshly deployed stage. There is no HTTP route for this on purpose:
 * only whoever may invoke the function through IAM can, and that principal could already write the
 * tables. It refuses while any admin key is active (not revoked, not expired), so running it twice does
 * not mint a second credential by accident; `force` issues one anyway (a lost first key), and says so in
 * the log. The key expires (a day by default): use it to create named admin users and keys, not as the
 * stage's lasting credential.
 */
export const issueFirstAdminKey = async (
  request: unknown,
  deps: { readonly apiKeys: ApiKeys; readonly clock: Clock },
): Promise<FirstAdminKey> => {
  const parsed = firstAdminRequest.safeParse(request ?? {});
  if (!parsed.success) {
    throw new FirstAdminRefusedError(
      'the payload may only carry name (1-100 characters), expires_in_hours (1-168) and force (boolean)',
    );
  }
  const {
    name = 'first admin',
    expires_in_hours = FIRST_ADMIN_KEY_HOURS_DEFAULT,
    force = false,
  } = parsed.data;
  const nowMs = deps.clock.nowMs();
  const active = (await deps.apiKeys.list()).filter(
    (key) =>
      key.roles.includes('admin') &&
      !key.revoked &&
      (key.expires_at === null || Date.parse(key.expires_at) > nowMs),
  );
  if (active.length > 0 && !force) {
    throw new FirstAdminRefusedError(
      `the stage already has active admin keys (${active.map((key) => key.key_id).join(', ')}); use one of ` +
        'them, or send "force": true if every one of them is lost',
    );
  }
  const expiresAt = new Date(nowMs + expires_in_hours * 3_600_000).toISOString();
  const issued = await deps.apiKeys.issue({ name, roles: ['admin'], expiresAt });
  return {
    api_key: issued.apiKey,
    key_id: issued.key.key_id,
    expires_at: expiresAt,
    next:
      'Shown once. Run the smoke test (npm run test:api:smoke -- --url <ApiUrl>) with BULWARK_API_KEY set to ' +
      'it, create named admin users or keys, then revoke this one.',
  };
};
