import * as z from 'zod/mini';

/** The longest overlap a rotation may ask for: a week (API_KEY_ROTATION_OVERLAP_SECONDS bounds it further). */
export const ROTATION_OVERLAP_SECONDS_MAX = 7 * 86_400;

/** `POST /admin/api-keys/{key_id}/rotate` body (optional): how long the replaced secret keeps working. */
export const rotateApiKeyBody = z.strictObject({
  overlap_seconds: z.optional(z.int().check(z.gte(0), z.lte(ROTATION_OVERLAP_SECONDS_MAX))),
});

export type RotateApiKeyBody = z.output<typeof rotateApiKeyBody>;
