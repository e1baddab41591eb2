import { parseRuntimeConfig, type RuntimeConfig } from './runtime-config.js';

let cached: RuntimeConfig | undefined;

/** The one place that reads process.env. Parsed on first use (cold start) and reused after. */
export const readRuntimeConfig = (): RuntimeConfig => {
  cached ??= parseRuntimeConfig(process.env);
  return cached;
};
