import type { Command } from '@commander-js/extra-typings';
import type { ApiKeyList, ApiKeyView, IssuedApiKey } from '../api-answers.js';
import { CliError, usageError } from '../cli-error.js';
import type { CommandContext } from '../context.js';
import { exitCodes } from '../exit-codes.js';
import { fields, orDash, rateLimitText, table } from '../format.js';
import { collectRole, isoInstant, segment, wholeNumber } from './arguments.js';

const keyFields = (key: ApiKeyView) =>
  [
    ['key_id', key.key_id],
    ['name', key.name],
    ['roles', key.roles.join(', ')],
    ['rate_limit', rateLimitText(key.rate_limit)],
    ['expires_at', orDash(key.expires_at)],
    ['revoked', key.revoked ? 'yes' : 'no'],
    ['overlap_until', orDash(key.overlap_until)],
    ['created_at', key.created_at],
    ['updated_at', key.updated_at],
  ] as const;

/** `--burst` with `--per-seconds`, or `--unlimited`, or (update only) `--default-limit`. */
const rateLimitOf = (options: {
  burst?: number;
  perSeconds?: number;
  unlimited?: boolean;
  defaultLimit?: boolean;
}): unknown => {
  const bucket = options.burst !== undefined || options.perSeconds !== undefined;
  const chosen = [bucket, options.unlimited === true, options.defaultLimit === true].filter(Boolean).length;
  if (chosen > 1) throw usageError('give one of --burst/--per-seconds, --unlimited, --default-limit');
  if (bucket) {
    if (options.burst === undefined || options.perSeconds === undefined) {
      throw usageError('--burst and --per-seconds go together');
    }
    return { burst: options.burst, per_seconds: options.perSeconds };
  }
  if (options.unlimited === true) return 'unlimited';
  if (options.defaultLimit === true) return null;
  return undefined;
};

/** Prints a new secret exactly once: on stdout (the `secret` field with --json), with a warning on stderr. */
const printIssued = (ctx: CommandContext, answer: IssuedApiKey, verb: string): void => {
  const { api_key: credential, ...key } = answer;
  ctx.print({ ...key, secret: credential }, fields([...keyFields(key), ['api_key', credential]]));
  ctx.note(
    `${verb}: the API key above (key_id:secret) is shown this once and cannot be retrieved again; store it now.`,
  );
};

export const registerKeys = (program: Command, context: () => CommandContext): void => {
  const keys = program.command('keys').description('API keys: create, list, show, update, rotate, revoke');

  keys
    .command('create')
    .description('Issue an API key (POST /admin/api-keys); its secret is printed once')
    .requiredOption('--name <name>', 'a label for people')
    .option('--role <role>', 'a role of the key (repeatable): user, admin, health', collectRole)
    .option('--burst <n>', "the key's own token bucket: requests at once", wholeNumber)
    .option('--per-seconds <n>', '... refilled over this many seconds', wholeNumber)
    .option('--unlimited', 'no limit at all (a guard-rail breach, logged and counted on every use)')
    .option('--expires-at <instant>', 'ISO 8601 instant after which the key stops working', isoInstant)
    .action(async (options) => {
      const ctx = context();
      if (options.role === undefined) throw usageError('give at least one --role');
      const rateLimit = rateLimitOf(options);
      const answer = await (await ctx.client()).request('POST', 'admin/api-keys', {
        json: {
          name: options.name,
          roles: options.role,
          ...(rateLimit === undefined ? {} : { rate_limit: rateLimit }),
          ...(options.expiresAt === undefined ? {} : { expires_at: options.expiresAt }),
        },
      });
      printIssued(ctx, answer.body as IssuedApiKey, 'Created');
    });

  keys
    .command('list')
    .description("Every key's metadata (GET /admin/api-keys); never a secret")
    .action(async () => {
      const ctx = context();
      const answer = await (await ctx.client()).request('GET', 'admin/api-keys');
      const list = (answer.body as ApiKeyList).keys;
      ctx.print(
        answer.body,
        table(
          ['KEY ID', 'NAME', 'ROLES', 'RATE LIMIT', 'EXPIRES', 'STATUS'],
          list.map((key) => [
            key.key_id,
            key.name,
            key.roles.join(','),
            rateLimitText(key.rate_limit),
            orDash(key.expires_at),
            key.revoked ? 'revoked' : key.overlap_until === null ? 'active' : 'active, rotating',
          ]),
        ),
      );
    });

  keys
    .command('show')
    .description("One key's metadata")
    .argument('<key_id>', 'the key id (bwk_...)')
    .action(async (keyId) => {
      const ctx = context();
      const answer = await (await ctx.client()).request('GET', 'admin/api-keys');
      const key = (answer.body as ApiKeyList).keys.find((candidate) => candidate.key_id === keyId);
      if (key === undefined) {
        throw new CliError('Not found (404)', {
          exitCode: exitCodes.rejected,
          problem: { title: 'Not found', status: 404, detail: 'No API key has this id.' },
          requestId: answer.requestId,
        });
      }
      ctx.print(key, fields(keyFields(key)));
    });

  keys
    .command('update')
    .description("Change a key's roles or rate limit (PATCH /admin/api-keys/{key_id})")
    .argument('<key_id>', 'the key id (bwk_...)')
    .option('--role <role>', "the key's roles, replacing the old ones (repeatable)", collectRole)
    .option('--burst <n>', "the key's own token bucket: requests at once", wholeNumber)
    .option('--per-seconds <n>', '... refilled over this many seconds', wholeNumber)
    .option('--unlimited', 'no limit at all (a guard-rail breach)')
    .option('--default-limit', "remove the key's own limit: the route's policy applies")
    .action(async (keyId, options) => {
      const ctx = context();
      const rateLimit = rateLimitOf(options);
      if (options.role === undefined && rateLimit === undefined) {
        throw usageError('nothing to change: give --role or a rate limit');
      }
      const answer = await (await ctx.client()).request('PATCH', `admin/api-keys/${segment(keyId)}`, {
        json: {
          ...(options.role === undefined ? {} : { roles: options.role }),
          ...(rateLimit === undefined ? {} : { rate_limit: rateLimit }),
        },
      });
      ctx.print(answer.body, fields(keyFields(answer.body as ApiKeyView)));
    });

  keys
    .command('rotate')
    .description(
      'A new secret for the same key id (POST /admin/api-keys/{key_id}/rotate); the old one works for the overlap',
    )
    .argument('<key_id>', 'the key id (bwk_...)')
    .option(
      '--overlap-seconds <n>',
      'how long the old secret keeps working (default and most: API_KEY_ROTATION_OVERLAP_SECONDS; 0 stops it now)',
      wholeNumber,
    )
    .action(async (keyId, options) => {
      const ctx = context();
      const answer = await (await ctx.client()).request('POST', `admin/api-keys/${segment(keyId)}/rotate`, {
        json: options.overlapSeconds === undefined ? {} : { overlap_seconds: options.overlapSeconds },
      });
      printIssued(ctx, answer.body as IssuedApiKey, 'Rotated');
    });

  keys
    .command('revoke')
    .description('Revoke a key at once (DELETE /admin/api-keys/{key_id})')
    .argument('<key_id>', 'the key id (bwk_...)')
    .action(async (keyId) => {
      const ctx = context();
      await (await ctx.client()).request('DELETE', `admin/api-keys/${segment(keyId)}`);
      ctx.print({ key_id: keyId, revoked: true }, `Revoked ${keyId}\n`);
    });
};
