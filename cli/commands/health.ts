import type { Command } from '@commander-js/extra-typings';
import type { FullHealth } from '../api-answers.js';
import type { CommandContext } from '../context.js';
import { fields, orDash } from '../format.js';

const days = (seconds: number | null): string =>
  seconds === null ? '-' : `${(seconds / 86_400).toFixed(1)} days`;

const fullText = (health: FullHealth): string =>
  fields([
    ['status', health.status],
    ['version', health.version],
    ...Object.entries(health.components).map(
      ([name, component]) => [name, `${component.status} (${component.latency_ms} ms)`] as const,
    ),
    [
      'signing keys',
      health.signing_keys.rotation_enabled
        ? `age ${days(health.signing_keys.age_seconds)}, next rotation in ${days(health.signing_keys.seconds_to_next_rotation)}${health.signing_keys.overdue ? ', OVERDUE' : ''}`
        : 'not rotated here (local keys)',
    ],
    [
      'limiter',
      Object.entries(health.limiter.outcomes)
        .map(([name, count]) => `${name} ${count}`)
        .join(', '),
    ],
    ['unlimited keys', String(health.guardrails.unlimited_api_keys)],
    ['fail-open', health.guardrails.fail_open_in_effect ? 'IN EFFECT' : 'no'],
    ...health.breakers.map(
      (breaker) =>
        [
          `breaker ${breaker.dependency}`,
          breaker.state === 'open' && breaker.openUntil !== undefined
            ? `open until ${breaker.openUntil}`
            : breaker.state,
        ] as const,
    ),
    ...health.guardrails.recent_events.map(
      (event) => ['event', `${event.at} ${event.kind} ${orDash(event.subject)}`] as const,
    ),
  ]);

export const registerHealth = (program: Command, context: () => CommandContext): void => {
  program
    .command('health')
    .description('Liveness (GET /health), or with --full every backend and guard rail (GET /health/full)')
    .option('--full', 'the authenticated full check (admin or health role)')
    .action(async (options) => {
      const ctx = context();
      const client = await ctx.client();
      if (options.full === true) {
        const answer = await client.request('GET', 'health/full');
        ctx.print(answer.body, fullText(answer.body as FullHealth));
        return;
      }
      const answer = await client.request('GET', 'health', { anonymous: true });
      ctx.print(answer.body, `${(answer.body as { status?: string }).status ?? 'ok'}\n`);
    });
};
