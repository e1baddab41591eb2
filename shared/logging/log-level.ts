export const logLevels = ['debug', 'info', 'warn', 'error'] as const;

/** LOG_LEVEL: production refuses `debug` (it can leak request metadata). */
export type LogLevel = (typeof logLevels)[number];
