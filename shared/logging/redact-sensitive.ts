/** Field names whose values are credentials or personal secrets, whatever their casing or separator. */
const sensitiveKey =
  /pass(word|wd|phrase)?|secret|token|authorization|api[-_]?key|cookie|credential|signature|private[-_]?key|hash/i;

export const REDACTED = '[REDACTED]';

export const isSensitiveKey = (key: string): boolean => sensitiveKey.test(key);

/**
 * JSON replacer for the logger: any field whose name looks like a credential is replaced, at any depth,
 * so a careless `log.info('x', { headers })` cannot write an Authorization or API key header.
 */
export const redactSensitive = (key: string, value: unknown): unknown =>
  key !== '' && isSensitiveKey(key) && value !== undefined && value !== null ? REDACTED : value;
