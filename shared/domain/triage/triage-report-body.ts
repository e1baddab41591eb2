import * as z from 'zod/mini';
import type { TriageReport } from './summarize-errors.js';

/*
 * zod/mini, as every schema a function loads (docs/benchmarks.md, cold start): `.clone().register(
 * z.globalRegistry, ...)` is what classic zod's `.meta(...)` does, so the OpenAPI document is unchanged.
 */
const instant = z.iso.datetime();

const errorGroupBody = z
  .strictObject({
    problem_type: z.string().clone().register(z.globalRegistry, {
      description: 'The error code, error name or `http-<status>` of the lines; `unknown` otherwise',
    }),
    route: z.string().clone().register(z.globalRegistry, {
      description: 'The route (or function) that logged them; `unknown` otherwise',
    }),
    fingerprint: z
      .string()
      .check(z.regex(/^[0-9a-f]{12}$/))
      .clone()
      .register(z.globalRegistry, {
        description: 'Hash of problem type, route and masked message: stable across windows',
      }),
    message: z.string().clone().register(z.globalRegistry, {
      description: 'The redacted message with ids and numbers masked, cut short',
    }),
    count: z.int().check(z.minimum(1)),
    first_seen: instant,
    last_seen: instant,
    sample_request_ids: z.array(z.string()).check(z.maxLength(3)).clone().register(z.globalRegistry, {
      description: 'Up to three request ids, to find the full lines in the logs',
    }),
  })
  .clone()
  .register(z.globalRegistry, { id: 'TriageErrorGroup', description: 'Identical error lines, counted' });

/** `POST /debug/summarize-errors`: the redacted digest, and the model's summary when one answered. */
export const triageReportBody = z
  .strictObject({
    window: z.strictObject({ from: instant, to: instant }),
    lines_read: z.int().check(z.minimum(0)),
    error_lines: z.int().check(z.minimum(0)),
    groups_total: z
      .int()
      .check(z.minimum(0))
      .clone()
      .register(z.globalRegistry, { description: 'Groups found; at most 50 are listed' }),
    groups: z
      .array(errorGroupBody)
      .clone()
      .register(z.globalRegistry, { description: 'Largest groups first' }),
    source: z.enum(['cloudwatch-logs-insights', 'local-files']),
    model: z.nullable(z.string()).clone().register(z.globalRegistry, {
      description: 'The model that wrote `summary`; null when none did (none configured, no errors)',
    }),
    summary: z.nullable(z.string()),
    likely_causes: z.array(z.string()),
    note: z
      .optional(z.string())
      .clone()
      .register(z.globalRegistry, { description: 'Why there is no summary, when there is none' }),
    degraded: z.boolean().clone().register(z.globalRegistry, {
      description: 'True: the model is unavailable and this is its last good answer for the same body',
    }),
    age_seconds: z
      .optional(z.int().check(z.minimum(0)))
      .clone()
      .register(z.globalRegistry, { description: 'Only when degraded: how old the served answer is' }),
  })
  .clone()
  .register(z.globalRegistry, {
    id: 'TriageReport',
    description: 'Recent error logs, redacted and grouped, with a summary',
  });

/** Compile-time tie: the use case's answer is what the schema describes. */
export const asTriageReportBody = (report: TriageReport): z.input<typeof triageReportBody> => ({
  ...report,
  groups: report.groups.map((group) => ({ ...group, sample_request_ids: [...group.sample_request_ids] })),
  likely_causes: [...report.likely_causes],
});
