/**
 * The rules runtime settings are parsed with: the value or the first failing check's message, and the
 * words docs/configuration.md shows for each rule.
 */
import { describe, expect, it } from 'vitest';
import {
  booleanText,
  checked,
  defaultOf,
  holds,
  integerText,
  lengthBetween,
  listOf,
  lowercased,
  oneOf,
  optional,
  pattern,
  text,
  withDefault,
} from '../../../shared/config/setting-parser.js';

describe('setting rules', () => {
  it('integerText: digits only, then the bounds, each with its own message', () => {
    const rule = integerText(1, 10);
    expect(rule.read('7')).toEqual({ ok: true, value: 7 });
    expect(rule.read('010')).toEqual({ ok: true, value: 10 });
    expect(rule.read('1.5')).toEqual({ ok: false, message: 'must be a whole number' });
    expect(rule.read('-1')).toEqual({ ok: false, message: 'must be a whole number' });
    expect(rule.read('0')).toEqual({ ok: false, message: 'must be at least 1' });
    expect(rule.read('11')).toEqual({ ok: false, message: 'must be at most 10' });
    expect(rule.accepts).toEqual(['whole number 1-10']);
  });

  it('oneOf and booleanText: exact members only', () => {
    expect(oneOf(['a', 'b', 'c']).read('b')).toEqual({ ok: true, value: 'b' });
    expect(oneOf(['a', 'b', 'c']).read('B')).toEqual({ ok: false, message: 'must be one of a, b, c' });
    expect(oneOf(['a', 'b', 'c']).accepts).toEqual(['one of `a`, `b`, `c`']);
    expect(oneOf(['a', 'b']).accepts).toEqual(['`a` or `b`']);
    expect(booleanText.read('true')).toEqual({ ok: true, value: true });
    expect(booleanText.read('false')).toEqual({ ok: true, value: false });
    expect(booleanText.read('yes')).toEqual({ ok: false, message: 'must be one of true, false' });
  });

  it('lowercased: the rule sees the text trimmed and lower-cased', () => {
    expect(lowercased(oneOf(['info', 'error'])).read(' INFO ')).toEqual({ ok: true, value: 'info' });
  });

  it('lengthBetween and checked: the first failing check names the problem', () => {
    expect(lengthBetween(2, 3).read('a')).toEqual({ ok: false, message: 'must be at least 2 characters' });
    expect(lengthBetween(2, 3).read('abcd')).toEqual({ ok: false, message: 'must be at most 3 characters' });
    expect(lengthBetween(2, 3).accepts).toEqual(['2-3 characters']);
    const rule = checked(
      pattern(/^[a-z]+$/, 'must be letters'),
      holds((value) => value !== 'no', 'must not be no'),
    );
    expect(rule.read('A1')).toEqual({ ok: false, message: 'must be letters' });
    expect(rule.read('no')).toEqual({ ok: false, message: 'must not be no' });
    expect(rule.read('yes')).toEqual({ ok: true, value: 'yes' });
    expect(rule.accepts).toEqual(['letters', 'must not be no']);
  });

  it('listOf: comma-separated, trimmed, empties dropped, at most 100 entries, each checked', () => {
    const rule = listOf((entry) => entry.endsWith('.com'), 'each entry must end in .com', true);
    expect(rule.read(' A.com, ,b.com,')).toEqual({ ok: true, value: ['a.com', 'b.com'] });
    expect(rule.read('a.com,b.org')).toEqual({ ok: false, message: 'each entry must end in .com' });
    const many = Array.from({ length: 101 }, (_, index) => `h${index}.com`).join(',');
    expect(rule.read(many)).toEqual({ ok: false, message: 'must list at most 100 entries' });
    expect(rule.accepts).toEqual([
      'comma-separated list of at most 100 entries',
      'each entry must end in .com',
    ]);
  });

  it('withDefault and optional: what an unset variable means', () => {
    expect(withDefault(integerText(1, 10), 5).parse(undefined)).toEqual({ ok: true, value: 5 });
    expect(withDefault(integerText(1, 10), 5).parse('11')).toEqual({
      ok: false,
      message: 'must be at most 10',
    });
    expect(optional(text).parse(undefined)).toEqual({ ok: true, value: undefined });
    expect(defaultOf(withDefault(text, 'x'))).toBe('x');
    expect(defaultOf(optional(text))).toBeUndefined();
    expect(optional(text).accepts).toEqual([]);
  });
});
