import { Logger } from '@aws-lambda-powertools/logger';
import type { LogLevel } from './log-level.js';
import { createRedactor, type RedactionOptions } from './redact-sensitive.js';

const powertoolsLevel = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

/**
 * The process-wide structured JSON logger; request-scoped lines go through `requestLogger`. Every line
 * passes the redactor (by field name and by pattern over every string value); `redaction` carries the
 * deployment's API-key header, extra patterns and IP policy (createRuntime passes the config's).
 */
export const createLogger = (logLevel: LogLevel, redaction: RedactionOptions = {}): Logger =>
  new Logger({
    serviceName: 'bulwark',
    logLevel: powertoolsLevel[logLevel],
    jsonReplacerFn: createRedactor({ apiKeyHeader: 'x-api-key', ...redaction }).replacer,
  });

/**
 * LOG_REDACT_PATTERNS as regular expressions: a JSON array of pattern sources (the settings table has
 * already checked that each compiles). Matched case-sensitively, anywhere in a string.
 */
export const compileRedactPatterns = (json: string): readonly RegExp[] =>
  (JSON.parse(json) as string[]).map((source) => new RegExp(source, 'g'));
