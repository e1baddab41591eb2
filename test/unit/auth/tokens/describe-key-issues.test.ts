/** What a refused key secret says in logs: the failing fields and zod's codes, never a value. */

import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { describeKeyIssues } from '../../../../shared/auth/tokens/describe-key-issues.js';

const issuesOf = (schema: z.ZodType, value: unknown): z.core.$ZodIssue[] => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected the value to be refused');
  return result.error.issues;
};

describe('describeKeyIssues', () => {
  it('names each failing field by its path and zod code, separated by semicolons', () => {
    const schema = z.strictObject({ current: z.strictObject({ kid: z.string(), x: z.string().length(43) }) });
    expect(describeKeyIssues(issuesOf(schema, { current: { kid: 7, x: 'secret-bytes' } }))).toBe(
      'current.kid: invalid_type; current.x: too_small',
    );
  });

  it('calls a problem with the whole secret (root)', () => {
    expect(describeKeyIssues(issuesOf(z.strictObject({}), 'not an object'))).toBe('(root): invalid_type');
  });

  it('shows the message of our own refinements, which never carry a value', () => {
    const schema = z.string().refine(() => false, { message: 'current and previous must differ' });
    expect(describeKeyIssues(issuesOf(schema, 'x'))).toBe('(root): current and previous must differ');
  });

  it('lists at most five issues, so a badly broken secret still makes one readable line', () => {
    const schema = z.strictObject({
      a: z.string(),
      b: z.string(),
      c: z.string(),
      d: z.string(),
      e: z.string(),
      f: z.string(),
    });
    expect(describeKeyIssues(issuesOf(schema, {})).split('; ')).toEqual([
      'a: invalid_type',
      'b: invalid_type',
      'c: invalid_type',
      'd: invalid_type',
      'e: invalid_type',
    ]);
  });

  it('never repeats the refused value', () => {
    const text = describeKeyIssues(
      issuesOf(z.strictObject({ d: z.string().length(43) }), { d: 'private-bytes' }),
    );
    expect(text).not.toContain('private-bytes');
  });
});
