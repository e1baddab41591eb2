import * as z from 'zod/mini';

/**
 * One circuit's position as `breakerStatuses()` reports it, for the answer schema of a health route
 * (`breakers: z.array(breakerStatusBody)`); zod/mini, so a health function stays small.
 */
export const breakerStatusBody = z
  .strictObject({
    dependency: z.string(),
    state: z.enum(['closed', 'open', 'half_open', 'unknown']),
    openUntil: z.optional(z.iso.datetime()),
    generation: z.optional(z.int()),
  })
  .register(z.globalRegistry, {
    id: 'BreakerStatus',
    description:
      "A circuit breaker's position: `open` rejects calls until `openUntil`, `half_open` lets one probe through, `unknown` when its shared state cannot be read",
  });
