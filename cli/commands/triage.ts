import type { Command } from '@commander-js/extra-typings';
import type { TriageReport } from '../api-answers.js';
import { usageError } from '../cli-error.js';
import type { CommandContext } from '../context.js';

const wholeNumber =
  (name: string, min: number, max: number) =>
  (text: string): number => {
    // Digits only, as every other numeric flag (arguments.ts): Number() would read 0x10 or 1e3.
    const value = /^\d{1,9}$/.test(text) ? Number(text) : Number.NaN;
    if (!Number.isInteger(value) || value < min || value > max) {
      throw usageError(`${name} must be a whole number from ${min} to ${max}`);
    }
    return value;
  };

const reportText = (report: TriageReport): string => {
  const lines = [
    `window ${report.window.from} .. ${report.window.to}: ${report.error_lines} error line(s) of ${report.lines_read}, ${report.groups_total} group(s)`,
    ...report.groups.map(
      (group) =>
        `  ${String(group.count).padStart(5)}  ${group.problem_type}  ${group.route}  ${group.message}`,
    ),
  ];
  if (report.summary !== null) lines.push(`summary (${report.model ?? 'model'}): ${report.summary}`);
  for (const cause of report.likely_causes) lines.push(`  likely: ${cause}`);
  if (report.note !== undefined) lines.push(`note: ${report.note}`);
  if (report.degraded) {
    lines.push(
      `DEGRADED: the model's circuit is open; this is its last good answer (${report.age_seconds ?? 0} s old)`,
    );
  }
  return `${lines.join('\n')}\n`;
};

export const registerTriage = (program: Command, context: () => CommandContext): void => {
  program
    .command('triage')
    .description(
      'Recent error logs, redacted and grouped, with a model summary when one is set (POST /debug/summarize-errors, admin)',
    )
    .option(
      '--window-minutes <minutes>',
      'how far back to read (1-1440)',
      wholeNumber('--window-minutes', 1, 1440),
    )
    .option('--limit <lines>', 'error lines to read at most (1-1000)', wholeNumber('--limit', 1, 1000))
    .action(async (options) => {
      const ctx = context();
      const body = {
        ...(options.windowMinutes === undefined ? {} : { window_minutes: options.windowMinutes }),
        ...(options.limit === undefined ? {} : { limit: options.limit }),
      };
      const answer = await (await ctx.client()).request('POST', 'debug/summarize-errors', { json: body });
      ctx.print(answer.body, reportText(answer.body as TriageReport));
    });
};
