import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from './log-level.js';
import { redactSensitive } from './redact-sensitive.js';

const powertoolsLevel = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

/** The process-wide structured JSON logger; request-scoped lines go through `requestLogger`. */
export const createLogger = (logLevel: LogLevel): Logger =>
  new Logger({
    serviceName: 'bulwark',
    logLevel: powertoolsLevel[logLevel],
    jsonReplacerFn: redactSensitive,
  });
