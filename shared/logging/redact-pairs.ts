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

const closing: Readonly<Record<string, string>> = { '[': ']', '{': '}' };

/**
 * Where an array or object value starting at `at` ends (past its closing bracket; the end of the text when
 * it is cut off), brackets inside quoted strings ignored; undefined when no bracket starts there. A
 * credential-named value of that shape goes whole, not its opening bracket alone.
 */
const bracketedEnd = (text: string, at: number): number | undefined => {
  if (closing[text[at] ?? ''] === undefined) return undefined;
  const open: string[] = [];
  let quote: string | undefined;
  for (let index = at; index < text.length; index += 1) {
    const char = text[index] ?? '';
    if (quote !== undefined) {
      if (char === '\\') index += 1;
      else if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") quote = char;
    else if (closing[char] !== undefined) open.push(closing[char] ?? '');
    else if (char === open.at(-1)) {
      open.pop();
      if (open.length === 0) return index + 1;
    }
  }
  return text.length;
};

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
    const valueAt = found.index + found[0].length;
    const bracketed = bracketedEnd(text, valueAt);
    if (bracketed !== undefined) {
      out += `${text.slice(copied, valueAt)}${REDACTED}`;
      copied = start.lastIndex = bracketed;
      continue;
    }
    value.lastIndex = valueAt;
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
