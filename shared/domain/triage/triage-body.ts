import * as z from 'zod/mini';

/** `POST /debug/summarize-errors` body: an optional window (minutes back from now) and line limit. */
export const summarizeErrorsBody = z
  .strictObject({
    window_minutes: z
      ._default(z.int().check(z.minimum(1), z.maximum(1_440)), 60)
      .clone()
      .register(z.globalRegistry, { description: 'How far back to read, in minutes from now' }),
    limit: z
      ._default(z.int().check(z.minimum(1), z.maximum(1_000)), 200)
      .clone()
      .register(z.globalRegistry, { description: 'Most error lines read' }),
  })
  .clone()
  .register(z.globalRegistry, { description: 'The window of logs to triage; `{}` or no body: the defaults' });

export type SummarizeErrorsBody = z.output<typeof summarizeErrorsBody>;

/** The request shape whose last good answer is cached: same window and limit, same cache entry. */
export const requestShapeOf = (body: SummarizeErrorsBody): string => `w${body.window_minutes}-l${body.limit}`;
