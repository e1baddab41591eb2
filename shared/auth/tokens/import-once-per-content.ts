import { createHash } from 'node:crypto';

/**
 * Memoises an asynchronous import by a digest of the content it imports, so the object a secret cache
 * returns after a refresh (new identity, same content) costs no new import. Bounded to `limit` entries
 * (a rotation adds one); a failed import is forgotten so the next call, with a fixed secret, tries again.
 */
export const importOncePerContent = <C, T>(
  limit: number,
  importContent: (content: C, label: string) => Promise<T>,
): ((content: C, label: string) => Promise<T>) => {
  const memo = new Map<string, Promise<T>>();
  // `label` names the source in errors only; the digest covers the content alone.
  return (content, label) => {
    const digest = createHash('sha256').update(JSON.stringify(content), 'utf8').digest('base64url');
    const known = memo.get(digest);
    if (known !== undefined) return known;
    const imported = importContent(content, label);
    memo.set(digest, imported);
    if (memo.size > limit) {
      const oldest = memo.keys().next();
      if (oldest.done !== true) memo.delete(oldest.value);
    }
    imported.catch(() => {
      if (memo.get(digest) === imported) memo.delete(digest);
    });
    return imported;
  };
};
