/**
 * How a runtime setting's text becomes its typed value: small rules composed per setting, each with the
 * message it fails with and the words docs/configuration.md shows for it. Plain functions, not zod: every
 * function parses its whole settings tree at every cold start, and building some 500 zod schemas for it
 * cost more than the parsing itself (docs/benchmarks.md, cold start). The messages are the ones the zod
 * schemas gave, check for check.
 */

/** One rule's verdict on a text: the value, or the message a ConfigurationError carries. */
export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

/** A rule over a set variable's trimmed, non-empty text. */
export interface TextRule<T> {
  readonly read: (text: string) => Parsed<T>;
  /** What the text may be, one phrase per check, as docs/configuration.md says it. */
  readonly accepts: readonly string[];
}

/** A whole setting: its rule, and what an unset (or blank) variable means. */
export interface SettingParser<T> {
  /** The variable's trimmed text; undefined when unset or blank. */
  readonly parse: (text: string | undefined) => Parsed<T>;
  readonly accepts: readonly string[];
}

export type OutputOf<P> = P extends SettingParser<infer T> ? T : never;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (message: string): Parsed<never> => ({ ok: false, message });

/** A check's message as the page says what is accepted: "must be an http(s) URL" -> "an http(s) URL". */
const acceptedText = (message: string): string => message.replace(/^must be /, '');

/** Any text. */
export const text: TextRule<string> = Object.freeze({ read: (value: string) => ok(value), accepts: [] });

/** Checks on one text, in order: the first that fails names the problem. */
export const checked = (
  ...checks: readonly { readonly test: (value: string) => boolean; readonly message: string }[]
): TextRule<string> =>
  Object.freeze({
    read: (value: string) => {
      const failed = checks.find((check) => !check.test(value));
      return failed === undefined ? ok(value) : fail(failed.message);
    },
    accepts: checks.map((check) => acceptedText(check.message)),
  });

/** A check by pattern. */
export const pattern = (regex: RegExp, message: string) => ({
  test: (value: string) => regex.test(value),
  message,
});

/** A check by predicate. */
export const holds = (test: (value: string) => boolean, message: string) => ({ test, message });

/** `min` to `max` characters (UTF-16 code units, as String#length counts). */
export const lengthBetween = (min: number, max: number): TextRule<string> => {
  const rule = checked(
    holds((value) => value.length >= min, `must be at least ${min} characters`),
    holds((value) => value.length <= max, `must be at most ${max} characters`),
  );
  return Object.freeze({ read: rule.read, accepts: [`${min}-${max} characters`] });
};

/** Exactly one of `values`. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T): TextRule<T[number]> => {
  const quoted = values.map((value) => `\`${value}\``);
  return Object.freeze({
    read: (value: string) =>
      (values as readonly string[]).includes(value)
        ? ok(value as T[number])
        : fail(`must be one of ${values.join(', ')}`),
    accepts: [quoted.length === 2 ? quoted.join(' or ') : `one of ${quoted.join(', ')}`],
  });
};

/** `true` or `false`. */
export const booleanText: TextRule<boolean> = Object.freeze({
  read: (value: string) => {
    const parsed = oneOf(['true', 'false']).read(value);
    return parsed.ok ? ok(parsed.value === 'true') : parsed;
  },
  accepts: ['`true` or `false`'],
});

/** A whole number of decimal digits from `min` to `max`. */
export const integerText = (min: number, max: number): TextRule<number> =>
  Object.freeze({
    read: (value: string) => {
      if (!/^\d+$/.test(value)) return fail('must be a whole number');
      const number = Number(value);
      if (number < min) return fail(`must be at least ${min}`);
      if (number > max) return fail(`must be at most ${max}`);
      return ok(number);
    },
    accepts: [`whole number ${min}-${max}`],
  });

/** The rule applied to the text trimmed and lower-cased. */
export const lowercased = <T>(rule: TextRule<T>): TextRule<T> =>
  Object.freeze({ read: (value: string) => rule.read(value.trim().toLowerCase()), accepts: rule.accepts });

/** A comma-separated list (entries trimmed, empty ones dropped) of at most 100 entries, each passing. */
export const listOf = (
  isEntry: (entry: string) => boolean,
  message: string,
  lower = false,
): TextRule<string[]> =>
  Object.freeze({
    read: (value: string) => {
      const entries = (lower ? value.toLowerCase() : value)
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item.length > 0);
      if (entries.length > 100) return fail('must list at most 100 entries');
      return entries.every(isEntry) ? ok(entries) : fail(message);
    },
    accepts: ['comma-separated list of at most 100 entries', acceptedText(message)],
  });

/** The setting takes `value` when its variable is unset or blank. */
export const withDefault = <T>(rule: TextRule<T>, value: T): SettingParser<T> =>
  Object.freeze({
    parse: (text: string | undefined) => (text === undefined ? ok(value) : rule.read(text)),
    accepts: rule.accepts,
  });

/** The setting is undefined when its variable is unset or blank. */
export const optional = <T>(rule: TextRule<T>): SettingParser<T | undefined> =>
  Object.freeze({
    parse: (text: string | undefined) => (text === undefined ? ok(undefined) : rule.read(text)),
    accepts: rule.accepts,
  });

/** What a setting is when its variable is unset (a parser without a default gives undefined). */
export const defaultOf = <T>(parser: SettingParser<T>): T => {
  const parsed = parser.parse(undefined);
  if (!parsed.ok) throw new TypeError(`a setting's default does not parse: ${parsed.message}`);
  return parsed.value;
};
