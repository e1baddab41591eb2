/**
 * Trusted hosts against a stack whose TRUSTED_HOSTS the suite chose (localhost, 127.0.0.1,
 * *.example.test): Host values that only look like a trusted name get 400 untrusted-host; real
 * subdomains, with or without a valid port, are served.
 */
import { describeAnswer, expectJson, expectProblem } from '../expect-answer.js';
import { fail, type SecurityCheck } from '../security-check.js';
import type { Target } from '../target.js';

const path = '/.well-known/jwks.json';

const localOnly =
  "needs a stack whose TRUSTED_HOSTS the suite set; a stage's list is its own, and API Gateway picks the API by Host";

const send = (target: Target, host: string) =>
  target.client().sendRaw({ method: 'GET', path, headers: [['host', host]] });

const untrusted = (id: string, host: string, what: string): SecurityCheck => ({
  id,
  proves: `Host "${host}" (${what}) gets 400 untrusted-host`,
  localOnly,
  run: async (target) => {
    expectProblem(await send(target, host), 400, 'untrusted-host');
  },
});

const trusted = (id: string, host: string): SecurityCheck => ({
  id,
  proves: `Host "${host}" (a subdomain on the *.example.test list) is served, not 400`,
  localOnly,
  run: async (target) => {
    const answer = await send(target, host);
    if (answer.status === 400) fail(`a trusted Host got ${describeAnswer(answer)}`);
    expectJson(answer, 200, `GET ${path} with Host ${host}`);
  },
});

export const trustedHostChecks: readonly SecurityCheck[] = [
  untrusted('host.slash-before-suffix', 'evil.example/.example.test', 'a path that ends in the suffix'),
  untrusted('host.hash-before-suffix', 'evil#.example.test', 'a fragment character'),
  untrusted('host.port-inside-name', 'evil:80.example.test', 'a port in the middle of the name'),
  untrusted('host.empty-label', 'a..example.test', 'an empty label'),
  untrusted('host.suffix-appended', 'example.test.evil', 'the trusted name followed by another domain'),
  untrusted('host.port-zero', 'api.example.test:0', 'port 0'),
  untrusted('host.port-too-large', 'api.example.test:70000', 'a port above 65535'),
  untrusted('host.empty', '', 'an empty Host header'),
  trusted('host.trusted-subdomain', 'api.example.test'),
  trusted('host.trusted-subdomain-port', 'api.example.test:443'),
];
