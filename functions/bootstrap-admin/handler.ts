/**
 * Issues the first admin API key of a deployed stage (README, Deploy). Not an HTTP route: an operator
 * invokes it through IAM (`aws lambda invoke`) and reads the key from the answer, once. The answer is
 * never logged; the log line names the key id and whether `force` was used.
 */
import { issueFirstAdminKey } from '../../shared/domain/api-keys/first-admin-key.js';
import { apiKeysFor } from '../../shared/runtime/api-keys-for.js';
import { loadRuntime } from '../../shared/runtime/load-runtime.js';

const runtime = loadRuntime();
const { apiKeys, ready } = apiKeysFor(runtime);
await ready();

export const handler = async (event: unknown) => {
  const issued = await issueFirstAdminKey(event, { apiKeys, clock: runtime.clock });
  runtime.logger.warn('first admin key issued', {
    key_id: issued.key_id,
    expires_at: issued.expires_at,
    forced: typeof event === 'object' && event !== null && (event as { force?: unknown }).force === true,
  });
  return issued;
};
