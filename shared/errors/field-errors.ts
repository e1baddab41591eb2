import type * as z from 'zod';
import type { FieldError } from './bulwark-error.js';

const maxErrors = 20;
const maxSegmentLength = 64;

/** RFC 6901 JSON Pointer, with client-chosen key names capped so an error list stays small. */
const pointer = (path: readonly PropertyKey[]): string =>
  path
    .map(
      (segment) =>
        `/${String(segment).slice(0, maxSegmentLength).replaceAll('~', '~0').replaceAll('/', '~1')}`,
    )
    .join('');

/**
 * Messages are written from the issue's code and the schema's own limits, never from the input, so
 * a rejected value (a password, a token pasted in the wrong field) is never echoed back. They do not
 * depend on zod's locale either, which zod/mini does not load.
 */
export const describeIssue = (issue: z.core.$ZodIssue, present = true): string => {
  switch (issue.code) {
    case 'invalid_type':
      return present ? `must be of type ${issue.expected}` : 'is required';
    case 'too_small':
      return issue.origin === 'array'
        ? `must have at least ${issue.minimum} items`
        : issue.origin === 'string'
          ? `must be at least ${issue.minimum} characters`
          : `must be at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'array'
        ? `must have at most ${issue.maximum} items`
        : issue.origin === 'string'
          ? `must be at most ${issue.maximum} characters`
          : `must be at most ${issue.maximum}`;
    case 'invalid_format':
      return issue.format === 'regex' ? 'has an invalid format' : `must be a valid ${issue.format}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'custom':
      // Custom messages come from our own schema refinements, never from input.
      return issue.message;
    default:
      return 'is invalid';
  }
};

/** zod 4 keeps the input off issues (unless asked to, which would risk echoing it), so look the path up. */
const isPresent = (input: unknown, path: readonly PropertyKey[]): boolean => {
  let current: unknown = input;
  for (const segment of path) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return false;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current !== undefined;
};

/**
 * One error per path, the first zod reports: once a value has the wrong type, checks meant for the
 * right type (a list's length applied to a string) only add noise.
 */
export const fieldErrorsOf = (error: z.core.$ZodError, input: unknown): FieldError[] => {
  const errors = error.issues.flatMap((issue): FieldError[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: pointer([...issue.path, key]), message: 'is not an allowed field' }))
      : [{ path: pointer(issue.path), message: describeIssue(issue, isPresent(input, issue.path)) }],
  );
  const seen = new Set<string>();
  return errors.filter((entry) => !seen.has(entry.path) && seen.add(entry.path)).slice(0, maxErrors);
};
