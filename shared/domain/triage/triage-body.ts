import * as z from 'zod';

/** `POST /debug/summarize-errors` body: an optional window (minutes back from now) and line limit. */
export const summarizeErrorsBody = z
  .strictObject({
    window_minutes: z
      .int()
      .min(1)
      .max(1_440)
      .default(60)
      .meta({ description: 'How far back to read, in minutes from now' }),
    limit: z.int().min(1).max(1_000).default(200).meta({ description: 'Most error lines read' }),
  })
  .meta({ description: 'The window of logs to triage; `{}` or no body: the defaults' });

export type SummarizeErrorsBody = z.output<typeof summarizeErrorsBody>;

/** The request shape whose last good answer is cached: same window and limit, same cache entry. */
export const requestShapeOf = (body: SummarizeErrorsBody): string => `w${body.window_minutes}-l${body.limit}`;
