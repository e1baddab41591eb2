import { markdownTable } from '../markdown-table.js';
import { type HotKeyResult, type HotKeyVerdict, hotKeySettings } from './measure-hot-key.js';

export interface HotKeyRunContext {
  readonly date: string;
  readonly machineLine: string;
  readonly loadAtStart: string;
  readonly loadAtEnd: string;
}

export const hotKeyTable = (result: HotKeyResult, verdict: HotKeyVerdict) => ({
  header: [
    'offered',
    'offered/s',
    'admitted',
    'maximum',
    'admitted/maximum',
    'busiest window',
    'writes',
    'writes/admitted',
    'most writes in 1 s',
    'from leases',
    'local rejects',
  ],
  rows: [
    [
      String(result.offered),
      result.offeredPerSecond.toFixed(0),
      String(result.admitted),
      String(result.maximum),
      `${(verdict.admittedShare * 100).toFixed(1)} %`,
      `${result.busiestWindow} / ${hotKeySettings.policy.requests}`,
      String(result.writes),
      verdict.writesPerAdmitted.toFixed(4),
      String(result.writesPerSecondMax),
      String(result.leaseAdmits),
      String(result.localRejects),
    ],
  ],
});

/** The markdown section for docs/benchmarks.md. */
export const hotKeySection = (
  result: HotKeyResult,
  verdict: HotKeyVerdict,
  context: HotKeyRunContext,
): string => {
  const { policy, offeredPerSecond, instances, durationMs, tickMs } = hotKeySettings;
  const table = hotKeyTable(result, verdict);
  return [
    '## Hot key: one key past one partition (leases)',
    '',
    `Run ${context.date} on ${context.machineLine}; this part took ${result.elapsedS.toFixed(0)} s; 1-min load ` +
      `average ${context.loadAtStart} before it, ${context.loadAtEnd} after.`,
    '',
    `One key with the policy \`{ kind: 'fixed_window', requests: ${policy.requests}, windowSeconds: ` +
      `${policy.windowSeconds} }\`, offered ${offeredPerSecond.toLocaleString('en')} requests per second over ` +
      `${instances} simulated Lambda instances (each its own limiter with the default leases, as ` +
      `\`rateLimiterFor\` builds it) for ${durationMs / 1000} s, open loop from a window boundary: every ` +
      `${tickMs} ms each instance starts its share without waiting for earlier ones. One DynamoDB Local, one ` +
      'client counting every command (`maxAttempts: 1`). *maximum* is what the policy allows for the requests ' +
      'as offered: `min(quota, offered)` per aligned window, windows by the clock reading each decision was ' +
      'made at; *busiest window* is the most admitted in one window (the quota caps it). *from leases*: ' +
      'admitted in process from a lease, no DynamoDB call. The offered rate is what the event loop managed ' +
      `on this machine (its largest lag behind the schedule: ${result.lagMsMax.toFixed(0)} ms).`,
    '',
    markdownTable(table.header, table.rows, [0, 1, 2, 3, 4, 6, 7, 8, 9, 10]),
    '',
    `**${verdict.line}**`,
    '',
    'Without leases every admitted request is one write to the same item: 5,000 writes per second, five ' +
      "times a partition's 1,000, which DynamoDB would throttle (ADR 0005, hot keys).",
  ].join('\n');
};
