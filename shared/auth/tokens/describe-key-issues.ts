import type * as z from 'zod';

/**
 * Names the failing fields and zod's issue codes, never the messages or values: those could carry key
 * material into logs. Custom refinements carry messages written here, so those are shown.
 */
export const describeKeyIssues = (issues: readonly z.core.$ZodIssue[]): string =>
  issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String).join('.') || '(root)';
      return issue.code === 'custom' ? `${path}: ${issue.message}` : `${path}: ${issue.code}`;
    })
    .join('; ');
