/**
 * Statements in the README and docs/ that once contradicted the code. Each test reads the docs and the
 * source of truth (the code itself where it can be run, its source text where it cannot) and fails if the
 * contradiction comes back.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { secretLogicalId, tableLogicalId } from '../../infra/stacks/data-stack.js';
import { keySetSource } from '../../shared/auth/tokens/key-set-source.js';
import { isServedPreflight } from '../../shared/chain/route-fallback.js';
import { updateApiKeyBody } from '../../shared/domain/api-keys/api-key-bodies.js';
import {
  defaultAccountAtClientIpPolicy,
  defaultAccountPolicy,
  defaultClientIpPolicy,
} from '../../shared/domain/login-throttle/login-throttle-policy.js';
import type { RateLimitPolicy } from '../../shared/domain/rate-limit/rate-limit-policy.js';
import type { RateLimiter } from '../../shared/domain/rate-limit/rate-limiter.js';
import type { SecureRequest } from '../../shared/http/secure-request.js';
import { isSensitiveKey, REDACTED, redactSensitive } from '../../shared/logging/redact-sensitive.js';
import { rateLimit } from '../../shared/middlewares/rate-limit.js';
import { resolveClientIp } from '../../shared/middlewares/resolve-client-ip.js';
import { type SecretId, secretDefinitions } from '../../shared/resources/secret-definitions.js';
import { tableDefinitions } from '../../shared/resources/table-definitions.js';
import { fallbackRoute, routes, securedFunctions } from '../../shared/routes/route-table.js';
import { allDocs, allSentences, readDoc, sectionOf, sentencesOf, tablesOf } from './doc-text.js';

const docs = allDocs();
const sentences = allSentences(docs);

describe('the CloudFront trust-hop count', () => {
  /**
   * What a function behind CloudFront and a regional REST API receives. CloudFront appends the viewer's
   * address to whatever X-Forwarded-For the viewer sent (CloudFront Developer Guide, "Request and response
   * behavior for custom origins", Client IP addresses); API Gateway appends the address that connected to
   * it, here CloudFront's, which is also `sourceIp` (a request straight to the API arrives with
   * `X-Forwarded-For: <caller>`, see the Lambda proxy event examples).
   */
  const viewer = '198.51.100.7';
  const cloudFront = '130.176.12.34';
  const forwardedFor = ['203.0.113.9' /* written by the client */, viewer, cloudFront].join(', ');

  const resolvedWith = async (trustProxyHops: number): Promise<string> => {
    const state = { clientIp: cloudFront, log: { warn: () => undefined } };
    const request = {
      event: { headers: { 'x-forwarded-for': forwardedFor } } as unknown as APIGatewayProxyEvent,
      context: { bulwark: state },
    } as unknown as SecureRequest;
    await resolveClientIp({ trustProxyHops }).before?.(request);
    return state.clientIp;
  };

  const cloudFrontHops = async (): Promise<number> => {
    for (let hops = 0; hops <= 10; hops += 1) if ((await resolvedWith(hops)) === viewer) return hops;
    throw new Error('no hop count finds the viewer');
  };

  /** A hop count stated next to CloudFront, in the phrasings the docs use. */
  const statedCounts = (sentence: string): number[] =>
    [
      ...sentence.matchAll(/\b(\d+) (?:behind|with) CloudFront\b/g),
      ...sentence.matchAll(/\bCloudFront in front (?:use|means) (\d+)\b/g),
      ...(sentence.includes('CloudFront') ? sentence.matchAll(/\bentry (\d+) from the right\b/g) : []),
    ].map((match) => Number(match[1]));

  it('is 2 by the code: the resolver picks the viewer at 2 and no lower count', async () => {
    expect(await cloudFrontHops()).toBe(2);
    expect(await resolvedWith(1)).toBe(cloudFront);
  });

  it('every sentence that gives a hop count with CloudFront gives the count the code needs', async () => {
    const expected = await cloudFrontHops();
    const stated = sentences.flatMap((sentence) =>
      statedCounts(sentence).map((count) => ({ sentence, count })),
    );
    expect(stated.length).toBeGreaterThanOrEqual(5);
    expect(stated.filter(({ count }) => count !== expected)).toEqual([]);
  });

  it('no sentence about trust hops and CloudFront carries a number in another phrasing', () => {
    const unchecked = sentences.filter(
      (sentence) =>
        sentence.includes('CloudFront') &&
        /API_TRUST_PROXY_HOPS|\bhops?\b/i.test(sentence) &&
        /(?<![\w.-])\d(?![\w.-])/.test(sentence.replace(/^[^:]+: /, '')) &&
        statedCounts(sentence).length === 0,
    );
    expect(unchecked).toEqual([]);
  });

  it('every table keyed by API_TRUST_PROXY_HOPS gives CloudFront rows the count the code needs', async () => {
    const expected = await cloudFrontHops();
    const rows = docs.flatMap((doc) =>
      tablesOf(doc.text).flatMap(({ header, rows }) => {
        const column = header.findIndex((cell) => cell.includes('API_TRUST_PROXY_HOPS'));
        if (column === -1) return [];
        return rows
          .filter((row) => row.some((cell) => cell.includes('CloudFront')))
          .map((row) => ({
            path: doc.path,
            row: row.join(' | '),
            hops: /`(\d+)`/.exec(row[column] ?? '')?.[1],
          }));
      }),
    );
    expect(rows.length).toBeGreaterThanOrEqual(1);
    expect(rows.filter(({ hops }) => hops !== String(expected))).toEqual([]);
  });
});

describe('the unknown_kid window after a signing-key rotation', () => {
  const verifierSource = readFileSync('shared/auth/tokens/verify-access-token.ts', 'utf8');
  const refreshSeconds =
    Number((/refreshIntervalMs \?\? ([\d_]+)/.exec(verifierSource)?.[1] ?? 'NaN').replaceAll('_', '')) / 1000;
  const authRunbook = sentencesOf(readDoc('docs/runbooks/auth.md').text);
  const aboutUnknownKids = authRunbook.filter((sentence) => /unknown_kid|unknown kid|new kid/.test(sentence));

  it('the verifier re-reads the keys on an unknown kid at a fixed interval', () => {
    expect(refreshSeconds).toBe(30);
  });

  it('the auth runbook gives that interval, not the secret cache lifetime, for unknown kids', () => {
    expect(aboutUnknownKids.filter((sentence) => sentence.includes(`every ${refreshSeconds} s`))).not.toEqual(
      [],
    );
    expect(
      aboutUnknownKids.filter((sentence) =>
        /SECRETS_CACHE_TTL_SECONDS|cache TTL|cache expires|\d+ minutes/.test(sentence),
      ),
    ).toEqual([]);
  });

  it('the auth runbook names the readers of each key secret as the route table grants them', () => {
    const readersOf = (secret: SecretId): string[] =>
      securedFunctions.filter((fn) => fn.secrets.includes(secret)).map((fn) => fn.id);
    const signingReaders = readersOf('jwtSigningKeys');
    expect(signingReaders.sort()).toEqual(['login', 'refresh-token']);
    const signingSentence = authRunbook.find((sentence) =>
      /JWT_SIGNING_SECRET_ARN`, private, read only by/.test(sentence),
    );
    for (const reader of signingReaders) expect(signingSentence).toContain(reader);
    const verifiers = securedFunctions.filter((fn) => fn.auth === 'required' || fn.id === 'jwks');
    for (const verifier of verifiers) {
      expect(verifier.secrets, verifier.id).toContain('jwtVerificationKeys');
      expect(verifier.secrets, verifier.id).not.toContain('jwtSigningKeys');
    }
    expect(authRunbook.join(' ')).toMatch(
      /`JWT_VERIFICATION_KEYS_SECRET_ARN`, public keys, read by every authenticated function and the JWKS\s+route/,
    );
  });
});

describe('the benchmark text about key sets', () => {
  const generatedSection = (text: string, name: string): string =>
    text.slice(text.indexOf(`<!-- bench:${name}:start -->`), text.indexOf(`<!-- bench:${name}:end -->`));
  const perCallParse =
    /(parseSigningKeySet|parseVerificationKeySet|schema validation|digest)[^.]*on every call/;

  it('the code parses a key set once per cached secret value, not per call', async () => {
    let parses = 0;
    const source = keySetSource(async (secret) => {
      parses += 1;
      return secret;
    });
    const cachedValue = { keys: [] };
    const keys = source.cached({ getSecretJson: async () => cachedValue }, 'secret-id');
    await keys();
    await keys();
    await keys();
    expect(parses).toBe(1);
  });

  it('neither docs/benchmarks.md nor the bench that writes it says a key set is parsed on every call', () => {
    const benchmarks = readDoc('docs/benchmarks.md').text;
    const generated = sentencesOf(generatedSection(benchmarks, 'auth'));
    expect(generated.filter((sentence) => perCallParse.test(sentence))).toEqual([]);
    const generator = readFileSync('bench/auth/auth-section.ts', 'utf8').replaceAll(/'\s*\+\s*'/g, '');
    expect(generator).not.toMatch(perCallParse);
  });
});

describe('what the rate limiter skips: a preflight for a served path, nothing else', () => {
  const policy: RateLimitPolicy = { kind: 'fixed_window', requests: 100, windowSeconds: 60 };
  const limitedKeys = async (method: string, path: string): Promise<string[]> => {
    const keys: string[] = [];
    const limiter: RateLimiter = {
      decide: async (key) => {
        keys.push(key);
        return {
          allowed: true,
          policy,
          remaining: 99,
          resetSeconds: 60,
          retryAfterSeconds: undefined,
          source: 'backend',
          backendCalls: 1,
          guardFailed: false,
        };
      },
    };
    const middleware = rateLimit({
      limiter,
      metrics: { count: () => undefined },
      routeId: fallbackRoute.id,
      policy,
      failureMode: 'fail-closed',
      // What the real fallback (shared/chain/route-fallback.ts) passes for Bulwark's route table.
      exempt: isServedPreflight(routes),
    });
    const state = {
      clientIp: '198.51.100.7',
      principal: undefined,
      revocationGuards: [],
      responseHeaders: {},
      log: { warn: () => undefined, error: () => undefined },
    };
    const request = {
      event: { httpMethod: method, path } as unknown as APIGatewayProxyEvent,
      context: { bulwark: state },
    } as unknown as SecureRequest;
    await middleware.before?.(request);
    return keys;
  };

  const claimsNoLimit = (sentence: string): boolean =>
    /OPTIONS|preflight/i.test(sentence) &&
    /\b(never|without|no|not)\b(?!-)[^.]*\b(rate[- ]limit\w*|limited|limiter)\b/i.test(sentence);
  const qualified = /path the API serves|route path|unknown path|does not serve/i;

  it('the fallback limits OPTIONS at unknown paths, 404s and 405s per client IP, never a preflight', async () => {
    expect(fallbackRoute.rateLimit.policy).toBe('default');
    expect(await limitedKeys('OPTIONS', '/health')).toEqual([]);
    expect(await limitedKeys('OPTIONS', '/nowhere')).toEqual(['rl#route-fallback#ip:198.51.100.7']);
    expect(await limitedKeys('GET', '/nowhere')).toEqual(['rl#route-fallback#ip:198.51.100.7']);
    expect(await limitedKeys('DELETE', '/health')).toEqual(['rl#route-fallback#ip:198.51.100.7']);
  });

  it('no doc says OPTIONS or preflight is never limited without saying for which paths', () => {
    const unqualified = sentences.filter((sentence) => claimsNoLimit(sentence) && !qualified.test(sentence));
    expect(unqualified).toEqual([]);
    expect(sentences.filter(claimsNoLimit).length).toBeGreaterThanOrEqual(4);
  });

  it('ADR 0002 says failed authentication is counted against the client address, as the chain does', () => {
    expect(readFileSync('shared/chain/create-secure-handler.ts', 'utf8')).toContain(
      'limitFailedAuthentication(',
    );
    const adr = readDoc('docs/adr/0002-security-chain-order.md').text;
    const authenticateRow = adr.split('\n').find((line) => line.includes('`authenticate`')) ?? '';
    expect(authenticateRow).toContain('limitFailedAuthentication');
    expect(authenticateRow).toContain('429');
  });

  it('every list of CORS request headers names each header the chain allows', () => {
    const source = readFileSync('shared/chain/create-secure-handler.ts', 'utf8');
    const allowed = [...(/allowHeaders: \[([^\]]*)\]/.exec(source)?.[1] ?? '').matchAll(/'([^']+)'/g)].map(
      (match) => match[1],
    );
    expect(allowed).toContain('authorization');
    const lists = sentences.filter((sentence) =>
      /allowed request headers|request header must be one of/i.test(sentence),
    );
    expect(lists.length).toBeGreaterThanOrEqual(2);
    for (const list of lists) for (const header of allowed) expect(list).toContain(`\`${header}\``);
  });
});

describe('login throttling is wired', () => {
  it('the login function runs the throttle, and no doc says it is still to be wired', () => {
    expect(readFileSync('functions/login/route.ts', 'utf8')).toContain('loginThrottleFor(runtime)');
    expect(
      sentences.filter((sentence) =>
        /to be wired|will be wired|not yet wired|wires it into|issue wires/i.test(sentence),
      ),
    ).toEqual([]);
  });
});

describe('API keys: ADR 0008 against the routes and the monitoring', () => {
  it('every "METHOD /path" in the docs is a route of the route table', () => {
    const mentioned = docs.flatMap((doc) =>
      [...doc.text.matchAll(/\b(GET|POST|PUT|PATCH|DELETE) +(\/[A-Za-z0-9_.{}/-]*)/g)].map(
        (match) => `${match[1]} ${match[2]}`,
      ),
    );
    // Besides Bulwark's routes, the docs may name the bench's hand-written baseline route.
    const served = new Set([...routes.map((route) => `${route.method} ${route.path}`), 'PATCH /profile']);
    expect(mentioned.length).toBeGreaterThanOrEqual(10);
    expect([...new Set(mentioned)].filter((route) => !served.has(route))).toEqual([]);
  });

  it('ADR 0008 is accepted: its routes are served', () => {
    expect(readDoc('docs/adr/0008-api-keys.md').text).toMatch(/^- Status: Accepted$/m);
    expect(sentences.filter((sentence) => /proposed, wired/i.test(sentence))).toEqual([]);
  });

  it('no doc claims an alarm on api_key_unlimited_used unless the monitoring has one', () => {
    const monitoring = readFileSync('infra/constructs/api-monitoring.ts', 'utf8');
    const alarmed = monitoring
      .split('new Alarm(')
      .slice(1)
      .map((alarm) => alarm.split(/\n\s*(?:const |this\.dashboard)/)[0] ?? '')
      .some((alarm) => alarm.includes('api_key_unlimited_used'));
    const claims = sentences.filter(
      (sentence) =>
        /\balarms? (on|for)\b[^.]*(api_key_unlimited_used|unlimited)|(api_key_unlimited_used|unlimited (API )?keys?)\b[^.]*\b(alarms?|alarmed)\b/i.test(
          sentence,
        ) && !/no alarm|not alarmed|dashboard only|alarm[^.]*(remains open|not done)/i.test(sentence),
    );
    expect(monitoring).toContain("'api_key_unlimited_used'");
    if (!alarmed) expect(claims).toEqual([]);
  });
});

describe('ADR 0007 against the session store and the limiter', () => {
  const adr = sentencesOf(readDoc('docs/adr/0007-refresh-sessions.md').text);

  it('does not wait for a sessions table definition that exists', () => {
    expect(tableDefinitions.sessions.partitionKey.name).toBe('pk');
    expect(adr.filter((sentence) => /until the `sessions` entry exists/i.test(sentence))).toEqual([]);
    const testTable = 'test/integration/sessions/sessions-test-table.ts';
    expect(adr.some((sentence) => sentence.includes(testTable))).toBe(existsSync(testTable));
  });

  it('does not defer to later the revocation check the limiter already carries', () => {
    const limiterStore = readFileSync('shared/adapters/dynamodb/dynamodb-rate-limit-store.ts', 'utf8');
    expect(limiterStore).toContain('ConditionCheck');
    expect(adr.filter((sentence) => /can later ride|later ride|could later/i.test(sentence))).toEqual([]);
  });
});

describe('DynamoDB on-demand prices', () => {
  /** us-east-1 on-demand, after AWS's November 2024 price cut: write and read request units. */
  const perMillion = { write: 0.625, read: 0.125 } as const;
  const pricePerMillion = /\$(\d+(?:\.\d+)?)\s*(?:per million|\/M\b)/g;
  const aboutDynamoDb = /DynamoDB|\bWRU\b|\bRRU\b|request units?|\bwrites?\b|\breads?\b/;

  it('every per-million price stated for DynamoDB requests is the current write or read price', () => {
    const stated = sentences
      .filter((sentence) => aboutDynamoDb.test(sentence))
      .flatMap((sentence) =>
        [...sentence.matchAll(pricePerMillion)].map((match) => ({ sentence, price: match[1] })),
      );
    expect(stated.length).toBeGreaterThanOrEqual(4);
    const allowed = Object.values(perMillion).map(String);
    expect(stated.filter(({ price }) => !allowed.includes(price ?? ''))).toEqual([]);
  });

  it('the README cost table prices writes and reads at those prices', () => {
    const readme = readDoc('README.md').text;
    expect(readme).toContain(`$${perMillion.write} per million WRU`);
    expect(readme).toContain(`1 RRU, $${perMillion.read}/M`);
  });
});

describe('runbook actions that need tooling', () => {
  const runbooks = docs.filter((doc) => doc.path.startsWith('docs/runbooks/'));

  it('no runbook says to block clients at the WAF while the web ACL has no IP block list', () => {
    const webAcl = readFileSync('infra/constructs/api-web-acl.ts', 'utf8');
    const hasBlockList = /ipSetReferenceStatement|CfnIPSet/i.test(webAcl);
    const blockAdvice = allSentences(runbooks).filter((sentence) =>
      /\bblock (them|it|the client|clients|the address)\b[^.]*\bat the WAF\b/i.test(sentence),
    );
    if (!hasBlockList) expect(blockAdvice).toEqual([]);
  });

  it('every rate limit the runbooks give a key (`--burst N --per-seconds M`) is one the route accepts', () => {
    const buckets = runbooks.flatMap((doc) =>
      [...doc.text.matchAll(/bulwark keys (?:create|update)[^\n]*--burst (\d+) --per-seconds (\d+)/g)].map(
        (match) => ({ rate_limit: { burst: Number(match[1]), per_seconds: Number(match[2]) } }),
      ),
    );
    expect(buckets.length).toBeGreaterThanOrEqual(3);
    for (const body of buckets)
      expect(updateApiKeyBody.safeParse(body).success, JSON.stringify(body)).toBe(true);
  });

  it('every operator action of the auth runbook is a bulwark command, none a raw table write', () => {
    const auth = readDoc('docs/runbooks/auth.md').text;
    const items = [
      'Every session of a user',
      "A user's password",
      'Disable a user',
      'A user** (remove',
      'An API key**',
    ].map((action) => auth.slice(auth.indexOf(action), auth.indexOf('\n- **', auth.indexOf(action))));
    const sections = ['403 `forbidden`', 'Rotate an API key (routine)'].map((title) =>
      sectionOf(auth, title),
    );
    for (const text of [...items, ...sections]) {
      expect(text).toMatch(/```sh\n[^`]*bulwark /);
      expect(text).not.toMatch(/aws dynamodb /);
    }
  });
});

describe('the README on log redaction', () => {
  const readme = readDoc('README.md').text;
  const bullet = readme.slice(
    readme.indexOf('**Log redaction**'),
    readme.indexOf('\n- **', readme.indexOf('**Log redaction**')),
  );
  const [redactedPart = '', keptPart = ''] = bullet.split('Only those names are matched');
  const namesIn = (text: string): string[] =>
    [...text.matchAll(/`([^`]+)`/g)]
      .map((match) => match[1] ?? '')
      .filter((name) => !name.includes('/') && name !== REDACTED);
  const loggedAtDepth = (name: string): string =>
    JSON.stringify({ outer: { inner: [{ [name]: 'value-of-the-field' }] } }, redactSensitive);

  it('every name it says is redacted is redacted by the logger, in any case and inside longer names', () => {
    const names = namesIn(redactedPart);
    expect(names.length).toBeGreaterThanOrEqual(14);
    for (const name of names) {
      for (const variant of [name, name.toUpperCase(), `x${name}Value`]) {
        expect(isSensitiveKey(variant), variant).toBe(true);
        expect(loggedAtDepth(variant), variant).not.toContain('value-of-the-field');
      }
    }
  });

  it('every name it says is kept is written as it is', () => {
    const names = namesIn(keptPart);
    expect(names).toEqual(expect.arrayContaining(['key', 'kid']));
    for (const name of names) {
      expect(isSensitiveKey(name), name).toBe(false);
      expect(loggedAtDepth(name), name).toContain('value-of-the-field');
    }
  });
});

describe('ADR 0003 against the authentication and the data stack', () => {
  it('every pinned logical id the docs name is one the data stack gives a table or secret', () => {
    const pinned = new Set([
      ...Object.values(tableDefinitions).map((definition) => tableLogicalId(definition.id)),
      ...Object.values(secretDefinitions).map((definition) => secretLogicalId(definition.id)),
    ]);
    const named = docs.flatMap((doc) =>
      [...doc.text.matchAll(/`([A-Z][A-Za-z]+(?:Table|Secret))`/g)].map((match) => match[1] ?? ''),
    );
    expect(named).toContain('ApiKeyPepperSecret');
    expect([...new Set(named)].filter((id) => !pinned.has(id))).toEqual([]);
  });

  it('a static API key is mentioned only as the first cut it replaced', () => {
    expect(Object.keys(secretDefinitions).sort()).toEqual([
      'apiKeyPepper',
      'jwtSigningKeys',
      'jwtVerificationKeys',
    ]);
    const staticKey = sentences.filter((sentence) => /\bstatic (API )?key\b/i.test(sentence));
    expect(staticKey.length).toBeGreaterThanOrEqual(1);
    expect(staticKey.filter((sentence) => !/removed|replaced/.test(sentence))).toEqual([]);
    const adr = readDoc('docs/adr/0003-infrastructure-first-cut.md').text.replaceAll(/\s+/g, ' ');
    const authentication = adr.slice(adr.indexOf('**Authentication in the functions.**'));
    expect(authentication.slice(0, authentication.indexOf('**', 40))).toMatch(/access token[^.]*API key/);
  });
});

describe("ADR 0009's consequences against the login throttle's policies", () => {
  const consequences = sentencesOf(
    sectionOf(readDoc('docs/adr/0009-passwords-and-login.md').text, 'Consequences'),
  );
  const minutes = (seconds: number): string => `${seconds / 60} minutes`;

  it('states the account-wide cap and that an owner on a clean address is never held by it', () => {
    expect(consequences.join(' ')).toMatch(
      new RegExp(`account-wide delay \\(at\\s+most ${defaultAccountPolicy.maxDelaySeconds} s\\)`),
    );
    expect(
      consequences.some((sentence) =>
        /address without failures is never held by the account-wide delay/.test(sentence),
      ),
    ).toBe(true);
  });

  it('gives the long back-offs to the failing address, never to the account as a whole', () => {
    const long = [defaultAccountAtClientIpPolicy.maxDelaySeconds, defaultClientIpPolicy.maxDelaySeconds].map(
      minutes,
    );
    expect(new Set(long)).toEqual(new Set(['15 minutes']));
    const aboutLongDelays = consequences.filter((sentence) =>
      long.some((text) => sentence.replaceAll(/\s+/g, ' ').includes(text)),
    );
    expect(aboutLongDelays.length).toBeGreaterThanOrEqual(1);
    expect(aboutLongDelays.filter((sentence) => !/\baddress\b/.test(sentence))).toEqual([]);
    expect(
      consequences.filter((sentence) => /delay a known user's logins for at most/.test(sentence)),
    ).toEqual([]);
  });
});

describe('the alarms the docs list against api-monitoring.ts', () => {
  const monitoring = readFileSync('infra/constructs/api-monitoring.ts', 'utf8');
  const alarmOf = new Map(
    [
      ...monitoring.matchAll(
        /this\.(\w+) = watch\(\s*new Alarm\(this, '\w+', \{\s*alarmName: name\('([\w-]+)'\)/g,
      ),
    ].map((match) => [match[1] ?? '', match[2] ?? '']),
  );
  const rollbackAlarms = [
    ...(/get rolloutAlarms\(\)[^{]*\{[^\]]*\]/.exec(monitoring)?.[0] ?? '').matchAll(/this\.(\w+)/g),
  ].map((match) => alarmOf.get(match[1] ?? ''));

  it('ADR 0010 and the rollout runbook name every stack-wide alarm', () => {
    expect(alarmOf.size).toBeGreaterThanOrEqual(6);
    for (const path of ['docs/adr/0010-deployment-and-operations.md', 'docs/runbooks/rollout.md']) {
      const text = readDoc(path).text;
      for (const alarm of alarmOf.values()) expect(text, `${path}: ${alarm}`).toContain(`\`${alarm}\``);
    }
  });

  it('the rollout runbook lists every alarm that rolls a canary back', () => {
    expect(rollbackAlarms).not.toContain(undefined);
    expect(rollbackAlarms.length).toBeGreaterThanOrEqual(4);
    const automatic = sectionOf(readDoc('docs/runbooks/rollout.md').text, 'Automatic rollback');
    for (const alarm of rollbackAlarms) expect(automatic).toContain(`\`${alarm}\``);
  });
});
