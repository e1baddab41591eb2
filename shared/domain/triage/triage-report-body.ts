import * as z from 'zod';
import type { TriageReport } from './summarize-errors.js';

const instant = z.iso.datetime();

const errorGroupBody = z
  .strictObject({
    problem_type: z.string().meta({
      description: 'The error code, error name or `http-<status>` of the lines; `unknown` otherwise',
    }),
    route: z.string().meta({ description: 'The route (or function) that logged them; `unknown` otherwise' }),
    fingerprint: z
      .string()
      .regex(/^[0-9a-f]{12}$/)
      .meta({ description: 'Hash of problem type, route and masked message: stable across windows' }),
    message: z.string().meta({ description: 'The redacted message with ids and numbers masked, cut short' }),
    count: z.int().min(1),
    first_seen: instant,
    last_seen: instant,
    sample_request_ids: z
      .array(z.string())
      .max(3)
      .meta({ description: 'Up to three request ids, to find the full lines in the logs' }),
  })
  .meta({ id: 'TriageErrorGroup', description: 'Identical error lines, counted' });

/** `POST /debug/summarize-errors`: the redacted digest, and the model's summary when one answered. */
export const triageReportBody = z
  .strictObject({
    window: z.strictObject({ from: instant, to: instant }),
    lines_read: z.int().min(0),
    error_lines: z.int().min(0),
    groups_total: z.int().min(0).meta({ description: 'Groups found; at most 50 are listed' }),
    groups: z.array(errorGroupBody).meta({ description: 'Largest groups first' }),
    source: z.enum(['cloudwatch-logs-insights', 'local-files']),
    model: z.string().nullable().meta({
      description: 'The model that wrote `summary`; null when none did (none configured, no errors)',
    }),
    summary: z.string().nullable(),
    likely_causes: z.array(z.string()),
    note: z.string().optional().meta({ description: 'Why there is no summary, when there is none' }),
    degraded: z.boolean().meta({
      description: 'True: the model is unavailable and this is its last good answer for the same body',
    }),
    age_seconds: z
      .int()
      .min(0)
      .optional()
      .meta({ description: 'Only when degraded: how old the served answer is' }),
  })
  .meta({ id: 'TriageReport', description: 'Recent error logs, redacted and grouped, with a summary' });

/** Compile-time tie: the use case's answer is what the schema describes. */
export const asTriageReportBody = (report: TriageReport): z.input<typeof triageReportBody> => ({
  ...report,
  groups: report.groups.map((group) => ({ ...group, sample_request_ids: [...group.sample_request_ids] })),
  likely_causes: [...report.likely_causes],
});
