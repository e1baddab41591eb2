import { describe, expect, it } from 'vitest';
import type { LoginThrottle } from '../../../shared/domain/login-throttle/login-throttle.js';
import { RateLimitBackendError } from '../../../shared/domain/rate-limit/rate-limit-store.js';
import { SessionOwnerChangedError } from '../../../shared/domain/sessions/refresh-sessions.js';
import { type LogInDependencies, logIn } from '../../../shared/domain/users/log-in.js';
import type { User } from '../../../shared/domain/users/user.js';
import { BulwarkError } from '../../../shared/errors/bulwark-error.js';
import { rejectionOf } from '../../support/rejection-of.js';

const alice: User = {
  id: 'user-1',
  username: 'alice',
  email: undefined,
  roles: ['user'],
  passwordHash: 'hash-of-correct',
  createdAt: '2026-11-23T12:00:00.000Z',
};

const recordingThrottle = (overrides: Partial<LoginThrottle> = {}) => {
  const calls: string[] = [];
  const throttle: LoginThrottle = {
    check: async () => {
      calls.push('check');
      return {
        allowed: true,
        attempt: {
          recordFailure: async () => {
            calls.push('failure');
          },
          recordSuccess: async () => {
            calls.push('success');
          },
          finish: async () => {
            calls.push('finish');
          },
        },
      };
    },
    ...overrides,
  };
  return { throttle, calls };
};

const notUsed = async (): Promise<never> => {
  throw new Error('not used by login');
};

const dependencies = (
  throttle: LoginThrottle,
  compared: string[],
  user: User = alice,
  forgotten: string[][] = [],
): LogInDependencies => ({
  users: {
    create: async () => undefined,
    get: async (username) => (username === 'alice' ? user : undefined),
    list: notUsed,
    change: notUsed,
    delete: notUsed,
    forgetSessions: async (_username, refs) => {
      forgotten.push([...refs]);
    },
  },
  nowMs: () => Date.UTC(2026, 10, 23, 12),
  throttle,
  verifyPassword: async (password, hash) => {
    compared.push(hash);
    return hash === 'hash-of-correct' && password === 'correct';
  },
  dummyPasswordHash: 'dummy-hash',
  startSession: async () => ({ refreshToken: 'brt_x.y', sessionId: 'sid-1', absoluteExpiresAtMs: 0 }),
});

describe('logIn', () => {
  it('starts a session and clears the streak on the right password', async () => {
    const { throttle, calls } = recordingThrottle();
    const result = await logIn(dependencies(throttle, []), {
      username: 'alice',
      password: 'correct',
      clientIp: '192.0.2.1',
    });
    expect(result.session.sessionId).toBe('sid-1');
    expect(calls).toEqual(['check', 'success', 'finish']);
  });

  it('fails an unknown user and a wrong password with the same error after the same bcrypt work', async () => {
    const { throttle, calls } = recordingThrottle();
    const compared: string[] = [];
    const unknown = await rejectionOf(
      logIn(dependencies(throttle, compared), { username: 'mallory', password: 'x', clientIp: 'ip' }),
    );
    const wrong = await rejectionOf(
      logIn(dependencies(throttle, compared), { username: 'alice', password: 'x', clientIp: 'ip' }),
    );
    expect(unknown).toBeInstanceOf(BulwarkError);
    expect(JSON.stringify({ ...(unknown as BulwarkError) })).toBe(
      JSON.stringify({ ...(wrong as BulwarkError) }),
    );
    expect((unknown as BulwarkError).detail).toBe('The username or password is not correct.');
    // One comparison each: the dummy hash for the unknown user, the real one for alice.
    expect(compared).toEqual(['dummy-hash', 'hash-of-correct']);
    expect(calls).toEqual(['check', 'failure', 'finish', 'check', 'failure', 'finish']);
  });

  it('refuses a throttled login with 429 and Retry-After before any password work', async () => {
    const { throttle } = recordingThrottle({
      check: async () => ({ allowed: false, retryAfterSeconds: 8, scope: 'account' }),
    });
    const compared: string[] = [];
    const error = (await rejectionOf(
      logIn(dependencies(throttle, compared), { username: 'alice', password: 'correct', clientIp: 'ip' }),
    )) as BulwarkError;
    expect(error.code).toBe('login-throttled');
    expect(error.headers).toEqual({ 'Retry-After': '8' });
    expect(compared).toEqual([]);
  });

  it('fails closed with 503 when the throttle store cannot answer', async () => {
    const { throttle } = recordingThrottle({
      check: async () => {
        throw new RateLimitBackendError(new Error('timeout'));
      },
    });
    const error = (await rejectionOf(
      logIn(dependencies(throttle, []), { username: 'alice', password: 'correct', clientIp: 'ip' }),
    )) as BulwarkError;
    expect(error.code).toBe('limiter-unavailable');
    expect(error.headers['Retry-After']).toBe('5');
  });

  it('refuses a disabled user exactly as a wrong password, counted as a failure, with no session', async () => {
    const { throttle, calls } = recordingThrottle();
    const compared: string[] = [];
    const deps = dependencies(throttle, compared, { ...alice, disabled: true });
    const error = await rejectionOf(
      logIn(deps, { username: 'alice', password: 'correct', clientIp: '192.0.2.1' }),
    );
    expect((error as BulwarkError).code).toBe('invalid-credentials');
    expect(compared).toEqual(['hash-of-correct']);
    expect(calls).toEqual(['check', 'failure', 'finish']);
  });

  it('passes the revision it read, and answers 401 when an administrator changed the user meanwhile', async () => {
    const { throttle } = recordingThrottle();
    const seen: number[] = [];
    const deps: LogInDependencies = {
      ...dependencies(throttle, [], { ...alice, revision: 7 }),
      startSession: async (user) => {
        seen.push(user.revision);
        throw new SessionOwnerChangedError();
      },
    };
    const error = await rejectionOf(
      logIn(deps, { username: 'alice', password: 'correct', clientIp: '192.0.2.1' }),
    );
    expect(seen).toEqual([7]);
    expect((error as BulwarkError).code).toBe('invalid-credentials');
  });

  it('forgets the references of expired sessions after a login, and only those', async () => {
    const { throttle } = recordingThrottle();
    const forgotten: string[][] = [];
    const nowSeconds = Math.floor(Date.UTC(2026, 10, 23, 12) / 1000);
    const stale = `${'a'.repeat(22)}:${'b'.repeat(22)}:${nowSeconds - 1}`;
    const live = `${'c'.repeat(22)}:${'d'.repeat(22)}:${nowSeconds + 100}`;
    const deps = dependencies(throttle, [], { ...alice, sessionRefs: [stale, live] }, forgotten);
    await logIn(deps, { username: 'alice', password: 'correct', clientIp: '192.0.2.1' });
    expect(forgotten).toEqual([[stale]]);
  });
});
