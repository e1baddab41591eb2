import { markdownTable } from '../markdown-table.js';
import { figuresComment } from '../summary/section-figures.js';
import { limiterChart } from './limiter-chart.js';
import { limiterFigures } from './limiter-figures.js';
import { callsPerDecision, limiterTable, overAdmitted } from './limiter-table.js';
import type { LimiterTarget } from './limiter-target.js';
import {
  type LimiterBenchResult,
  type LimiterWorkloadId,
  limiterSettings,
  limiterWorkloadLabels,
} from './measure-limiters.js';

export interface LimiterRunContext {
  readonly date: string;
  readonly machineLine: string;
  readonly loadAtStart: string;
  readonly loadAtEnd: string;
}

/** The markdown section for docs/benchmarks.md; figures quoted in the prose come from this run. */
export const limiterSection = (
  result: LimiterBenchResult,
  target: LimiterTarget,
  bucket: { readonly line: string },
  context: LimiterRunContext,
): string => {
  const figures = limiterTable(result.rows);
  const rowOf = (contenderId: string, workload: LimiterWorkloadId) =>
    result.rows.find((entry) => entry.contender.id === contenderId && entry.workload === workload);
  const steadyBucket = rowOf('bulwark-tb', 'steady')?.runs[0];
  const steadyBucketNote =
    steadyBucket === undefined
      ? ''
      : steadyBucket.admitted === steadyBucket.expected
        ? ` It admitted the exact maximum (${steadyBucket.admitted}).`
        : ` It admitted ${steadyBucket.admitted} of a maximum of ${steadyBucket.expected}.`;
  const flexibleOver = result.rows
    .filter((row) => !row.contender.bulwark && overAdmitted(row) > 0)
    .map((row) => `${row.contender.label}, ${limiterWorkloadLabels[row.workload]}: +${overAdmitted(row)}`);
  const flexibleOverNote =
    flexibleOver.length === 0
      ? 'so it did not over-admit under concurrency here: every burst run admitted exactly the limit.'
      : `yet this run measured over-admission (${flexibleOver.join('; ')}).`;
  const { burst, steady, underLimit } = limiterSettings;
  const calls = (contenderId: string, workload: LimiterWorkloadId): string => {
    const row = rowOf(contenderId, workload);
    return row === undefined ? '?' : callsPerDecision(row).toFixed(2);
  };
  const label = (workload: LimiterWorkloadId) => `*${limiterWorkloadLabels[workload]}*`;
  return [
    '## Rate limiter: Bulwark versus rate-limiter-flexible on DynamoDB Local',
    '',
    `Run ${context.date} on ${context.machineLine}; this part took ${result.elapsedS.toFixed(0)} s; 1-min load ` +
      `average ${context.loadAtStart} before the bench, ${context.loadAtEnd} after.`,
    '',
    "One DynamoDB Local (Amazon's jar, in memory) holds Bulwark's tables (`createTables`) and a table " +
      'rate-limiter-flexible 11.4.0 created for itself. Each limiter has its own `@aws-sdk/client-dynamodb` client ' +
      'with a middleware at the `initialize` step counting commands, and `maxAttempts: 1`, so one count is one ' +
      'HTTP request (no retry hides behind it). *calls/decision* = counted commands / decisions. Latency runs ' +
      'from the `decide()` / `consume()` call to its answer and includes queueing in the SDK socket pool and ' +
      'in DynamoDB Local, a single JVM on these 2 cores: in the one-instance burst it measures that queue ' +
      'more than the limiter. Compare latencies only inside one run.',
    '',
    `- ${label('burst-1')} / ${label('burst-20')}: ${burst.decisions} decisions on one fresh key against a ` +
      `limit of ${burst.limit.quota} per ${burst.limit.periodSeconds} s (Bulwark token bucket ` +
      `\`{ burst: ${burst.limit.quota}, perSeconds: ${burst.limit.periodSeconds} }\` and fixed window ` +
      `\`{ requests: ${burst.limit.quota}, windowSeconds: ${burst.limit.periodSeconds} }\` on a fixed clock; ` +
      `flexible \`points: ${burst.limit.quota}, duration: ${burst.limit.periodSeconds}\`), ${burst.runs} runs ` +
      'on fresh keys, shown as min-max per run. *1 instance*: all at once on one limiter instance. ' +
      `*${burst.instances} instances*: ${burst.instances} limiter instances, each with its own in-process ` +
      `state like a Lambda instance, each taking ${burst.decisions / burst.instances} decisions one at a time, ` +
      'all instances at once.',
    `- ${label('steady')}: one key, limit ${steady.limit.quota} per ${steady.limit.periodSeconds} s, one ` +
      `limiter instance, ${steady.batch} decisions every ${steady.everyMs} ms for ${steady.durationMs / 1000} s ` +
      `(open loop, ${(steady.batch * 1000) / steady.everyMs}/s, about 4x what the limit admits over 10 s); ` +
      'Bulwark on the wall clock (`systemClock`). The four limiters run this at the same time, each on its own ' +
      'key and client, so their latencies share one DynamoDB Local.',
    `- ${label('under-1')} / ${label('under-20')}: ${underLimit.decisions} decisions over ${underLimit.keys} ` +
      `keys (${underLimit.decisions / underLimit.keys} per key, limit ${underLimit.limit.quota} per ` +
      `${underLimit.limit.periodSeconds} s) by ${underLimit.concurrency} closed-loop workers sharing one ` +
      `instance, or with one instance each. rate-limiter-flexible runs the second variant plainly and not the ` +
      'in-memory-block variant at all: under the limit it keeps no state in process, so both would repeat the ' +
      'first row.',
    '',
    '*allowed/expected* is the most a correct limiter of that kind may admit for the decisions as they were ' +
      'offered (their own clock readings): token bucket `burst + floor(span / interval)` from the first to the ' +
      'last decision (interval = perSeconds / burst); Bulwark fixed window `min(limit, offered)` per ' +
      'epoch-aligned window touched; rate-limiter-flexible `min(points, offered)` per window, a window opening ' +
      'at the first request after the previous one expired. An admitted count above it is over-admission and ' +
      'would show as `(+n over)`.',
    '',
    markdownTable(figures.header, figures.rows, [2, 5, 6, 7]),
    '',
    limiterChart(figures),
    '',
    `**${target.line}**`,
    '',
    `**${bucket.line}**`,
    ...(result.warnings.length === 0
      ? []
      : ['', ...result.warnings.map((warning) => `> Warning: ${warning}`)]),
    '',
    '### Why the numbers differ',
    '',
    '**Bulwark** decides with one conditional `UpdateItem` per decision: the write is the decision. A failed ' +
      'condition is a reject and returns the stored item (`ReturnValuesOnConditionCheckFailure: ALL_OLD`), so a ' +
      'reject needs no second read. Each instance caches the last state it saw per key; stored state only grows ' +
      '(a token-bucket TAT, a window count), so a cached state already over the limit proves a reject with no ' +
      'call (`source: cache`), and a cached state is never used to admit. The fixed window is ' +
      '`ADD count :1` if `count < limit`: always one call. The token bucket is GCRA with the whole state in ' +
      'one number, the TAT; DynamoDB expressions have no `max()`, so the write has to guess *idle* ' +
      '(`TAT := now + interval` if TAT is in the past or absent) or *busy* (`TAT := TAT + interval` if it is ' +
      'in the future, `now + interval` if absent). Both writes are right for a missing item, so an instance ' +
      'guesses *busy* for a key it has no state for, and *idle* only when its cached TAT has passed; a wrong ' +
      'guess (only *busy* on an existing idle bucket, or *idle* on a bucket other instances made busy) fails ' +
      'like a reject, returns the TAT and costs a second call. On an uncached key the first decision goes ' +
      'alone and concurrent ones wait to learn from it.',
    '',
    `- ${label('burst-1')}: all ${burst.decisions} decisions are in flight before any answer, so no cache ` +
      `can help anyone: ${calls('bulwark-tb', 'burst-1')} calls/decision, every one a single write (the ` +
      'lone first decision makes the others guess right).',
    `- ${label('burst-20')}: each instance makes one call for its first reject and proves the rest in process: ` +
      `${calls('bulwark-tb', 'burst-20')} (token bucket) and ${calls('bulwark-fw', 'burst-20')} (fixed window). ` +
      `Rejects decided in process, all workloads of this run together: ${result.cacheRejects['bulwark-tb'] ?? 0} token bucket, ` +
      `${result.cacheRejects['bulwark-fw'] ?? 0} fixed window.`,
    `- ${label('steady')}: the fixed window rejects in process once it has seen a window full ` +
      `(${calls('bulwark-fw', 'steady')}). The token bucket stays at ${calls('bulwark-tb', 'steady')}: every ` +
      `${steady.everyMs} ms batch finds 2-3 tokens refilled since the last one, so the cached TAT does not ` +
      'prove a reject and the whole batch, in flight together, goes to DynamoDB (one call each, guessed ' +
      `right).${steadyBucketNote}`,
    `- ${label('under-20')}: the token bucket costs ${calls('bulwark-tb', 'under-20')} against ` +
      `${calls('bulwark-tb', 'under-1')} with one instance: a key's next decision usually lands on an instance ` +
      'that has not seen it, which guesses *busy*, right for a new key and for a key other instances keep busy ' +
      `(TAT still in the future, interval ${(burst.limit.periodSeconds / burst.limit.quota).toFixed(0)} s). ` +
      'Until 2026-12 such an instance guessed *idle* and paid a second call (1.67 calls/decision). The fixed ' +
      'window has no guess and stays at one.',
    '',
    "**rate-limiter-flexible**'s `RateLimiterDynamo` (`lib/RateLimiterDynamo.js`) runs `_upsert` on every " +
      '`consume` that its in-memory block does not stop: first `UpdateItem SET points = 1, expire = now + ' +
      'duration` on condition `expire <= :now OR attribute_not_exists(points)` (open a new window); when that ' +
      'throws, for any reason, a second `UpdateItem SET points = points + 1` on condition `expire > :now` ' +
      'returning `ALL_NEW`, and the consume is rejected (with a `RateLimiterRes`) when the returned count ' +
      'exceeds `points`. So the first request of a window costs one call and **every other request two, ' +
      'rejects included**; the counter keeps climbing past the limit, and the failed first write carries no ' +
      'information (no `ReturnValuesOnConditionCheckFailure`). Both writes are atomic on DynamoDB, ' +
      `${flexibleOverNote} Its window starts at a key's first request instead of an aligned boundary. ` +
      'By default it keeps nothing in process: ' +
      `${calls('flexible', 'burst-1')}, ${calls('flexible', 'burst-20')} and ${calls('flexible', 'steady')} ` +
      `calls/decision under overload and ${calls('flexible', 'under-1')} under the limit (one call then two ` +
      `per key with ${underLimit.decisions / underLimit.keys} decisions each). With ` +
      '`inMemoryBlockOnConsumed` set to the limit, an instance that has seen a key reach the limit rejects it ' +
      `in process until the window ends: ${calls('flexible-imb', 'burst-20')} in the ${burst.instances}-instance ` +
      `burst and ${calls('flexible-imb', 'steady')} steady, but still ${calls('flexible-imb', 'burst-1')} when ` +
      'every decision is in flight at once.',
    '',
    'On DynamoDB a failed conditional write still consumes write capacity, so calls per decision is also the ' +
      'cost per decision.',
    '',
    figuresComment(limiterFigures(result.rows, target, context.date)),
  ].join('\n');
};
