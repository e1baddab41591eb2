import { REDACTED } from './redact-sensitive.js';

/**
 * A pair inside text: how it starts (its name, in group `nameGroup`, and separator), and its value from
 * there (sticky; group 1, when present, is the value's opening quote).
 */
type PairShape = readonly [start: RegExp, nameGroup: number, value: RegExp];

/** A quoted value to its closing quote (escapes included) or the end of the text, or a bare `run`. */
const pairValue = (run: string): RegExp => new RegExp(`(["'])(?:(?!\\1)[^\\\\]|\\\\.)*(?:\\1|$)|${run}`, 'y');

/**
 * Credential-named pairs inside text, judged by the field-name test: JSON escaped inside a string
 * (`\"name\": \"value\"`), `"name": "value"` or `'name': 'value'` (JSON or a language's repr; a bare
 * number or literal too) and `name=value` (query strings, forms, cookies; a quoted value whole). Only the
 * value of a credential name goes; any other pair is scanned through, so a pair inside its value is still
 * found, and `name: value` in prose ("invalid token: expired") stays.
 */
const pairShapes: readonly PairShape[] = [
  [/\\"([\w.-]+)\\"\s*:\s*/g, 1, /(\\")(?:(?!\\").)*(?:\\"|$)|[^\s,}\]\\]+/y],
  [/(["'])([\w.-]+)\1\s*:\s*/g, 2, pairValue(`[^\\s,}\\]"']+`)],
  [/(?<![\w.-])([\w.-]+)=/g, 1, pairValue(`[^\\s&;,"'<>]+`)],
];

/** The text with the value of every credential-named pair of one shape replaced. */
const redactShape = (
  text: string,
  [start, nameGroup, value]: PairShape,
  isSensitive: (key: string) => boolean,
): string => {
  // Synchronous from here to the return: the shapes' own regular expressions are safe to reuse.
  start.lastIndex = 0;
  let out = '';
  let copied = 0;
  for (let found = start.exec(text); found !== null; found = start.exec(text)) {
    if (!isSensitive(found[nameGroup] ?? '')) continue;
    value.lastIndex = found.index + found[0].length;
    const matched = value.exec(text);
    if (matched === null) continue;
    const quote = matched[1] ?? '';
    out += `${text.slice(copied, matched.index)}${quote}${REDACTED}${quote}`;
    copied = start.lastIndex = matched.index + matched[0].length;
  }
  return out + text.slice(copied);
};

/**
 * The `pairs` pass of createRedactor: every credential-named pair's value in `text` replaced, judged by
 * the redactor's own field-name test.
 */
export const redactPairs = (text: string, isSensitive: (key: string) => boolean): string =>
  pairShapes.reduce((current, shape) => redactShape(current, shape, isSensitive), text);
