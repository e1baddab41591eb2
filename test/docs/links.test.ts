/**
 * Links between the docs: every relative link names a file that exists, and every `#fragment` names a
 * heading of its target as GitHub spells it, so moving or renaming a section cannot strand a reader.
 */
import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allDocs } from './doc-text.js';

/** GitHub's heading anchor: lowercase, punctuation dropped (hyphens kept), spaces as hyphens. */
const anchorOf = (heading: string): string =>
  heading
    .trim()
    .toLowerCase()
    .replaceAll(/[^\p{L}\p{N}_\- ]/gu, '')
    .replaceAll(' ', '-');

const docs = allDocs();
const withoutCode = (text: string): string => text.replaceAll(/```[\s\S]*?```/g, '');
const anchors = new Map(
  docs.map((doc) => [
    normalize(doc.path),
    new Set([...withoutCode(doc.text).matchAll(/^#{1,6} (.+)$/gm)].map((match) => anchorOf(match[1] ?? ''))),
  ]),
);
const links = docs.flatMap((doc) =>
  [...withoutCode(doc.text).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? '')
    .filter((link) => !/^[a-z]+:/.test(link))
    .map((link) => {
      const [path = '', fragment] = link.split('#');
      return {
        from: doc.path,
        link,
        target: path === '' ? normalize(doc.path) : normalize(join(dirname(doc.path), path)),
        fragment,
      };
    }),
);

describe('links between the docs', () => {
  it('spells anchors as GitHub does', () => {
    expect(anchorOf('A 429: which of the four answered?')).toBe('a-429-which-of-the-four-answered');
    expect(anchorOf('Two refreshes at once: 409 `refresh-superseded`')).toBe(
      'two-refreshes-at-once-409-refresh-superseded',
    );
    expect(anchorOf('API contract (OpenAPI)')).toBe('api-contract-openapi');
  });

  it('point at files that exist', () => {
    expect(links.length).toBeGreaterThan(50);
    expect(
      links.filter(({ target }) => !existsSync(target)).map(({ from, link }) => `${from}: ${link}`),
    ).toEqual([]);
  });

  it('point at headings that exist', () => {
    const broken = links.filter(
      ({ target, fragment }) =>
        fragment !== undefined && target.endsWith('.md') && !anchors.get(target)?.has(fragment),
    );
    expect(broken.map(({ from, link }) => `${from}: ${link}`)).toEqual([]);
  });
});
