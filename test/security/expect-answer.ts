/**
 * What every answer of the API owes a client, checked from the outside: RFC 9457 problem+json for every
 * rejection with the documented type, the security headers, and nothing a client should not learn.
 */
import type { HttpAnswer } from './http-client.js';
import { fail } from './security-check.js';

const problemPrefix = 'urn:bulwark:problem:';

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail?: string;
  readonly request_id?: string;
  readonly errors?: readonly { path: string; message: string }[];
}

const excerpt = (text: string, length = 160): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > length ? `${flat.slice(0, length)}...` : flat;
};

/** The problem code of a problem+json answer (`invalid-credentials`), or undefined. */
export const problemCodeOf = (answer: HttpAnswer): string | undefined => {
  if (!answer.headers['content-type']?.startsWith('application/problem+json')) return undefined;
  try {
    const type = (JSON.parse(answer.text) as { type?: unknown }).type;
    return typeof type === 'string' && type.startsWith(problemPrefix)
      ? type.slice(problemPrefix.length)
      : undefined;
  } catch {
    return undefined;
  }
};

/** One line about an answer for a FAIL: status, problem code or content type, Retry-After, body excerpt. */
export const describeAnswer = (answer: HttpAnswer): string => {
  const code = problemCodeOf(answer);
  const retryAfter = answer.headers['retry-after'];
  const parts = [
    String(answer.status),
    code ?? answer.headers['content-type'] ?? '(no content type)',
    ...(retryAfter === undefined ? [] : [`Retry-After: ${retryAfter}`]),
  ];
  if (code === undefined && answer.text.length > 0) parts.push(excerpt(answer.text));
  return parts.join(' ');
};

/** Tallies statuses and problem codes: `12x 401 invalid-credentials, 28x 429 login-throttled`. */
export const tally = (answers: readonly HttpAnswer[]): string => {
  const counts = new Map<string, number>();
  for (const answer of answers) {
    const key = `${answer.status} ${problemCodeOf(answer) ?? answer.headers['content-type'] ?? ''}`.trim();
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts.entries()].map(([key, count]) => `${count}x ${key}`).join(', ');
};

/** Whole seconds of Retry-After, or undefined when it is missing or not a whole number of seconds. */
export const retryAfterOf = (answer: HttpAnswer): number | undefined => {
  const value = answer.headers['retry-after'];
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
};

/**
 * The headers every answer carries, success or error: a request id, HSTS, nosniff, a Content Security
 * Policy and Cache-Control no-store. Returns the problems found (empty when all are there).
 */
export const missingSecurityHeaders = (answer: HttpAnswer): string[] => {
  const h = answer.headers;
  const missing: string[] = [];
  if (!h['x-request-id']) missing.push('x-request-id');
  const hsts = /max-age=(\d+)/i.exec(h['strict-transport-security'] ?? '');
  if (hsts === null || Number(hsts[1]) <= 0) missing.push('Strict-Transport-Security with a max-age');
  if (h['x-content-type-options']?.toLowerCase() !== 'nosniff')
    missing.push('X-Content-Type-Options: nosniff');
  if (!/default-src/i.test(h['content-security-policy'] ?? '')) missing.push('Content-Security-Policy');
  if (!/\bno-store\b/i.test(h['cache-control'] ?? '')) missing.push('Cache-Control: no-store');
  return missing;
};

export const expectSecurityHeaders = (answer: HttpAnswer, what = `the ${answer.status} answer`): void => {
  const missing = missingSecurityHeaders(answer);
  if (missing.length > 0) fail(`${what} lacks ${missing.join(', ')}`);
};

/** Stack frames, file paths and names of the server's internals: none may reach a client. */
const leakPatterns: readonly (readonly [string, RegExp])[] = [
  ['a stack frame', /\bat\s+(?:async\s+)?[\w$.<>[\]]+\s+\(|\bat\s+(?:file:\/\/|\/)\S+:\d+/],
  [
    'a file path',
    /(?:\/(?:home|work|var|opt|usr|tmp|root|srv|app)\/\S|[A-Za-z]:\\\w|node_modules|\.(?:ts|js|mjs|cjs):\d+)/,
  ],
  [
    'an internal name',
    /\b(?:DynamoDB|ConditionalCheckFailed\w*|TransactionCanceled\w*|ResourceNotFoundException|ValidationException|ProvisionedThroughput\w*|ZodError|SyntaxError|TypeError|RangeError|ReferenceError|Unexpected token|JSON\.parse|middy|process\.env|arn:aws:|bulwark-local-|SecretsManager)\b/i,
  ],
];

/**
 * The answer (body and headers) shows no stack trace, file path or internal name, and none of `sent`
 * (credentials and other values of the request that must never be echoed).
 */
export const expectNoLeak = (answer: HttpAnswer, sent: readonly string[] = []): void => {
  const headerText = Object.entries(answer.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  for (const [what, pattern] of leakPatterns) {
    const found = pattern.exec(answer.text) ?? pattern.exec(headerText);
    if (found !== null) fail(`the ${answer.status} answer shows ${what}: "${excerpt(found[0], 60)}"`);
  }
  for (const value of sent) {
    if (value.length >= 8 && (answer.text.includes(value) || headerText.includes(value)))
      fail(`the ${answer.status} answer echoes a value of the request (${excerpt(value, 24)})`);
  }
};

export interface ProblemOptions {
  /** Retry-After must be a whole number of seconds, at least 1. */
  readonly retryAfter?: boolean;
  /** Values of the request that must not come back (tokens, keys, passwords). */
  readonly sent?: readonly string[];
  /** Exact WWW-Authenticate, or a pattern it must match. */
  readonly challenge?: string | RegExp;
}

/**
 * `status` and one of `codes` as RFC 9457 problem+json whose `status` and `request_id` agree with the
 * answer, with the security headers and no leak. Returns the problem body.
 */
export const expectProblem = (
  answer: HttpAnswer,
  status: number,
  codes: string | readonly string[],
  options: ProblemOptions = {},
): Problem => {
  const accepted = typeof codes === 'string' ? [codes] : codes;
  const expected = `${status} ${accepted.join(' or ')}`;
  if (answer.status !== status) fail(`expected ${expected}; saw ${describeAnswer(answer)}`);
  if (!answer.headers['content-type']?.startsWith('application/problem+json'))
    fail(`expected ${expected} as application/problem+json; saw ${describeAnswer(answer)}`);
  let problem: Problem;
  try {
    problem = JSON.parse(answer.text) as Problem;
  } catch {
    return fail(`expected ${expected}; saw a problem body that is not JSON: ${excerpt(answer.text)}`);
  }
  const code = problemCodeOf(answer);
  if (code === undefined || !accepted.includes(code))
    fail(`expected ${expected}; saw ${describeAnswer(answer)}`);
  if (problem.status !== status) fail(`the ${status} problem says status ${String(problem.status)}`);
  const requestId = answer.headers['x-request-id'];
  if (requestId !== undefined && problem.request_id !== requestId)
    fail(`the problem's request_id differs from x-request-id (${String(problem.request_id)})`);
  expectSecurityHeaders(answer, `the ${status} ${code} answer`);
  if (options.retryAfter === true) {
    const seconds = retryAfterOf(answer);
    if (seconds === undefined || seconds < 1)
      fail(
        `the ${status} ${code} answer has no Retry-After of whole seconds >= 1 (${String(answer.headers['retry-after'])})`,
      );
  }
  if (options.challenge !== undefined) {
    const challenge = answer.headers['www-authenticate'] ?? '';
    const matches =
      typeof options.challenge === 'string'
        ? challenge === options.challenge
        : options.challenge.test(challenge);
    if (!matches) fail(`the ${status} answer's WWW-Authenticate is "${challenge}"`);
  }
  expectNoLeak(answer, options.sent);
  return problem;
};

/**
 * An attack request refused with `status` and one of `codes`, or blocked earlier by the stage's WAF
 * (403 `gateway-4xx`, which the local stack never answers): either way the function did not act on it.
 */
export const expectRefused = (
  answer: HttpAnswer,
  status: number,
  codes: string | readonly string[],
  options: ProblemOptions = {},
): void => {
  if (answer.status === 403 && problemCodeOf(answer) === 'gateway-4xx') {
    expectNoLeak(answer, options.sent);
    return;
  }
  expectProblem(answer, status, codes, options);
};

/** `status` with an application/json body; returns it parsed. */
export const expectJson = <T>(answer: HttpAnswer, status: number, what: string): T => {
  if (answer.status !== status || !answer.headers['content-type']?.startsWith('application/json'))
    fail(`expected ${status} JSON for ${what}; saw ${describeAnswer(answer)}`);
  try {
    return JSON.parse(answer.text) as T;
  } catch {
    return fail(`${what}: the ${status} body is not JSON: ${excerpt(answer.text)}`);
  }
};
