/**
 * Breaking changes between two versions of an OpenAPI document (api-smart-diff's classification: a removed
 * operation, response status or response field, a request that accepts less, a security requirement more),
 * and the commits of docs/openapi.json that made one without acknowledging it.
 */
import { execFileSync } from 'node:child_process';
import { apiCompare } from 'api-smart-diff';

/** The trailer that acknowledges a breaking change in the commit that makes it. */
export const breakingChangeTrailer = 'API-Breaking-Change:';

const annotations = new Set(['description', 'summary', 'example', 'examples', 'title']);

/**
 * Drops annotations (descriptions, examples) everywhere but inside `properties`, where a key is a field
 * name. They cannot break a client, and api-smart-diff 1.0.6 misreads an `anyOf` whose parent has a
 * `description` as changed whenever anything else in the document changed.
 */
const withoutAnnotations = (value: unknown, underProperties = false): unknown => {
  if (Array.isArray(value)) return value.map((item) => withoutAnnotations(item));
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => underProperties || !annotations.has(key))
      .map(([key, child]) => [key, withoutAnnotations(child, !underProperties && key === 'properties')]),
  );
};

const pointer = (path: readonly (string | number)[]): string =>
  `/${path.map((segment) => String(segment).replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

/** Each breaking change as `<action> <JSON Pointer>` (`remove /paths/~1health/get`), sorted. */
export const breakingChanges = (before: unknown, after: unknown): string[] =>
  apiCompare(withoutAnnotations(before), withoutAnnotations(after))
    .diffs.filter((diff) => diff.type === 'breaking')
    .map((diff) => `${diff.action} ${pointer(diff.path)}`)
    .sort();

const git = (root: string, args: readonly string[]): string =>
  execFileSync('git', args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  });

const fileAt = (root: string, commit: string, file: string): unknown => {
  try {
    return JSON.parse(git(root, ['show', `${commit}:${file}`]));
  } catch {
    return undefined;
  }
};

export interface UnacknowledgedChange {
  readonly commit: string;
  readonly subject: string;
  readonly changes: readonly string[];
}

/**
 * Every commit (merges aside: their changes were checked on their branch) that changed `file` in a way
 * that breaks clients of the version before it, without the trailer in its message. A commit whose parent
 * is missing (shallow clone) or had no such file is the document's first version, with nothing to break.
 */
export const unacknowledgedBreakingChanges = (root: string, file: string): UnacknowledgedChange[] => {
  const commits = git(root, ['log', '--no-merges', '--format=%H', '--', file]).split('\n').filter(Boolean);
  return commits.flatMap((commit) => {
    const before = fileAt(root, `${commit}^`, file);
    const after = fileAt(root, commit, file);
    if (before === undefined || after === undefined) return [];
    const message = git(root, ['log', '-1', '--format=%B', commit]);
    if (
      message
        .split('\n')
        .some(
          (line) => line.startsWith(breakingChangeTrailer) && line.length > breakingChangeTrailer.length + 1,
        )
    )
      return [];
    const changes = breakingChanges(before, after);
    return changes.length === 0 ? [] : [{ commit, subject: message.split('\n')[0] ?? '', changes }];
  });
};
