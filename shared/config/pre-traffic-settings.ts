import * as z from 'zod';

/**
 * The CodeDeploy pre-traffic hook's own settings (functions/pre-traffic-hook; ADR 0018): not runtime
 * settings of the route functions, so not in the runtime settings table, but read from the environment
 * here, once, like every other setting.
 */

/** The request the hook sends one function: its route's method and path, and a body for JSON routes. */
export const probeSchema = z.strictObject({
  functionName: z.string().min(1),
  method: z.string().min(1),
  path: z.string().startsWith('/'),
  /** JSON routes get `{}`: the chain refuses it (422) after every check before the body, no side effect. */
  jsonBody: z.boolean(),
});
export type Probe = z.infer<typeof probeSchema>;

const settingsSchema = z.strictObject({
  probes: z.array(probeSchema).min(1),
  /** The API's own host name: the functions refuse any other Host (TRUSTED_HOSTS). */
  host: z.string().min(1),
  stage: z.string().min(1),
});
export type PreTrafficSettings = z.infer<typeof settingsSchema>;

/** Parsed once at cold start from BULWARK_PRE_TRAFFIC_PROBES, BULWARK_API_HOST and BULWARK_API_STAGE. */
export const preTrafficSettingsFrom = (environment: Readonly<Record<string, string | undefined>>) =>
  settingsSchema.parse({
    probes: JSON.parse(environment.BULWARK_PRE_TRAFFIC_PROBES ?? '[]'),
    host: environment.BULWARK_API_HOST,
    stage: environment.BULWARK_API_STAGE,
  });

let cached: PreTrafficSettings | undefined;

/** The hook's settings from its environment, parsed on first use (its cold start) and kept. */
export const readPreTrafficSettings = (): PreTrafficSettings => {
  cached ??= Object.freeze(preTrafficSettingsFrom(process.env));
  return cached;
};
