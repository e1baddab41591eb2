/**
 * The memo behind both key sets: one import per distinct content, whatever object carries it, bounded,
 * and never remembering a failed import.
 */
import { describe, expect, it } from 'vitest';
import { importOncePerContent } from '../../../../shared/auth/tokens/import-once-per-content.js';

/** An import that records what it imported and can be told to fail or to wait. */
const recordingImport = () => {
  const imported: string[] = [];
  let failNext = false;
  let hold: Promise<void> | undefined;
  const importContent = async (content: { readonly kid: string }, label: string) => {
    imported.push(`${content.kid}@${label}`);
    const failing = failNext;
    failNext = false;
    const waiting = hold;
    hold = undefined;
    if (waiting !== undefined) await waiting;
    if (failing) throw new Error(`cannot import ${content.kid}`);
    return { kid: content.kid };
  };
  return {
    imported,
    importContent,
    failNext: () => {
      failNext = true;
    },
    holdNext: () => {
      let release: () => void = () => undefined;
      hold = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => release();
    },
  };
};

describe('importOncePerContent', () => {
  it('imports a content once, whatever object carries it and whatever label names it', async () => {
    const source = recordingImport();
    const load = importOncePerContent(4, source.importContent);
    const first = load({ kid: 'a' }, 'secret-1');
    expect(load({ kid: 'a' }, 'secret-2')).toBe(first);
    expect(load(structuredClone({ kid: 'a' }), 'secret-1')).toBe(first);
    expect(await first).toEqual({ kid: 'a' });
    expect(source.imported).toEqual(['a@secret-1']);
  });

  it('imports each distinct content', async () => {
    const source = recordingImport();
    const load = importOncePerContent(4, source.importContent);
    await load({ kid: 'a' }, 's');
    await load({ kid: 'b' }, 's');
    expect(source.imported).toEqual(['a@s', 'b@s']);
  });

  it('keeps at most `limit` contents, forgetting the oldest first', async () => {
    const source = recordingImport();
    const load = importOncePerContent(2, source.importContent);
    await load({ kid: 'a' }, 's');
    await load({ kid: 'b' }, 's');
    await load({ kid: 'b' }, 's');
    await load({ kid: 'c' }, 's');
    await load({ kid: 'b' }, 's');
    await load({ kid: 'c' }, 's');
    expect(source.imported).toEqual(['a@s', 'b@s', 'c@s']);
    await load({ kid: 'a' }, 's');
    expect(source.imported).toEqual(['a@s', 'b@s', 'c@s', 'a@s']);
  });

  it('keeps exactly `limit` contents', async () => {
    const source = recordingImport();
    const load = importOncePerContent(2, source.importContent);
    await load({ kid: 'a' }, 's');
    await load({ kid: 'b' }, 's');
    await load({ kid: 'a' }, 's');
    expect(source.imported).toEqual(['a@s', 'b@s']);
  });

  it('forgets a failed import, so the next call tries again', async () => {
    const source = recordingImport();
    const load = importOncePerContent(4, source.importContent);
    source.failNext();
    await expect(load({ kid: 'a' }, 's')).rejects.toThrow('cannot import a');
    expect(await load({ kid: 'a' }, 's')).toEqual({ kid: 'a' });
    expect(source.imported).toEqual(['a@s', 'a@s']);
  });

  it('never lets a failure forget a newer import of the same content', async () => {
    const source = recordingImport();
    const load = importOncePerContent(1, source.importContent);
    source.failNext();
    const release = source.holdNext();
    const failing = load({ kid: 'a' }, 's');
    await load({ kid: 'b' }, 's');
    const newer = load({ kid: 'a' }, 's');
    release();
    await expect(failing).rejects.toThrow('cannot import a');
    expect(load({ kid: 'a' }, 's')).toBe(newer);
    expect(source.imported).toEqual(['a@s', 'b@s', 'a@s']);
  });
});
