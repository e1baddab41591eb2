/**
 * The diagrams that picture code: the chain's onion (README, ADR 0002) lists the middlewares in the order
 * createSecureHandler uses them, so a reordered chain cannot leave a picture that contradicts it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readDoc } from './doc-text.js';

/** Middleware names in the order createSecureHandler adds them (`.use(<factory>(`), as their `name`s. */
const chainOrder = (): string[] => {
  const source = readFileSync('shared/chain/create-secure-handler.ts', 'utf8');
  // Two factories are called under another name there: the CORS helper and the injected authentication.
  const aliases: Record<string, string> = { corsFor: 'applyCors', middleware: 'authenticate' };
  const names = [...source.matchAll(/\.use\(\s*(\w+)\(/g)].map((match) => match[1] ?? '');
  // rejectRevokedSessions only replaces rateLimit on a route without a limit (none in the table).
  return names.map((name) => aliases[name] ?? name).filter((name) => name !== 'rejectRevokedSessions');
};

const middlewareNames = new Set(
  readdirSync('shared/middlewares').flatMap((file) =>
    [...readFileSync(`shared/middlewares/${file}`, 'utf8').matchAll(/name: '(\w+)'/g)].map((m) => m[1]),
  ),
);

/** Participants of the mermaid sequence diagrams of a page that picture the chain. */
const onions = (path: string): string[][] =>
  [...readDoc(path).text.matchAll(/```mermaid\n(sequenceDiagram[\s\S]*?)```/g)]
    .map((block) => block[1] ?? '')
    .filter((diagram) => diagram.includes('participant answerProblems'))
    .map((diagram) => [...diagram.matchAll(/^\s*participant (\w+)\s*$/gm)].map((match) => match[1] ?? ''));

describe('the chain as an onion', () => {
  it('reads the chain from the code: the middlewares it names exist', () => {
    const order = chainOrder();
    expect(order.slice(0, 3)).toEqual(['normalizeHeaders', 'assignRequestId', 'addSecurityHeaders']);
    for (const name of order) expect(middlewareNames.has(name), name).toBe(true);
  });

  it.each(['README.md', 'docs/adr/0002-security-chain-order.md'])(
    '%s pictures the middlewares in the order of createSecureHandler',
    (path) => {
      const diagrams = onions(path);
      expect(diagrams.length).toBe(1);
      expect(diagrams[0]).toEqual([...chainOrder(), 'handler']);
    },
  );
});
