import { LoginFailedError, LoginThrottledError } from '../../errors/auth-errors.js';
import { LimiterUnavailableError } from '../../errors/rate-limit-errors.js';
import type { LoginThrottle } from '../login-throttle/login-throttle.js';
import { RateLimitBackendError } from '../rate-limit/rate-limit-store.js';
import { SessionOwnerChangedError, type StartedSession } from '../sessions/refresh-sessions.js';
import { parseSessionRef } from '../sessions/session-ref.js';
import type { Role, User } from './user.js';
import type { UsersRepository } from './users-repository.js';

export interface LogInDependencies {
  readonly users: UsersRepository;
  readonly throttle: LoginThrottle;
  readonly verifyPassword: (password: string, hash: string) => Promise<boolean>;
  /** A bcrypt hash at the configured cost, compared when the user is unknown so both paths take as long. */
  readonly dummyPasswordHash: string;
  readonly startSession: (user: {
    userId: string;
    username: string;
    roles: readonly Role[];
    revision: number;
  }) => Promise<StartedSession>;
  /** Epoch ms; stale session references (expired sessions) are forgotten after a successful login. */
  readonly nowMs: () => number;
}

/** Best effort: a stale reference costs only space on the record, so a failure here never fails a login. */
const forgetStaleSessions = async (deps: LogInDependencies, user: User): Promise<void> => {
  const nowSeconds = Math.floor(deps.nowMs() / 1000);
  const stale = (user.sessionRefs ?? []).filter(
    (text) => (parseSessionRef(text)?.expiresAtSeconds ?? 0) < nowSeconds,
  );
  if (stale.length === 0) return;
  await deps.users.forgetSessions(user.username, stale).catch(() => undefined);
};

/**
 * Unknown user and wrong password end in the same LoginFailedError after the same work (a bcrypt
 * comparison either way), so neither the answer nor its timing tells them apart. Failures count
 * against the account and the client IP; a throttle backend that cannot answer refuses the login.
 */
export const logIn = async (
  deps: LogInDependencies,
  input: { readonly username: string; readonly password: string; readonly clientIp: string },
): Promise<{ user: User; session: StartedSession }> => {
  const subject = { account: input.username, clientIp: input.clientIp };
  const throttled = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof RateLimitBackendError) throw new LimiterUnavailableError(5, error);
      throw error;
    }
  };
  const check = await throttled(() => deps.throttle.check(subject));
  if (!check.allowed) throw new LoginThrottledError(check.retryAfterSeconds);
  const { attempt } = check;

  try {
    const user = await deps.users.get(input.username);
    const matches = await deps.verifyPassword(input.password, user?.passwordHash ?? deps.dummyPasswordHash);
    // A disabled user gets the same answer as a wrong password, after the same work, and counts as a
    // failure: the answer tells nobody that the account exists or that the password was right.
    if (user === undefined || !matches || user.disabled === true) {
      await throttled(() => attempt.recordFailure());
      throw new LoginFailedError();
    }
    await throttled(() => attempt.recordSuccess());
    let session: StartedSession;
    try {
      session = await deps.startSession({
        userId: user.id,
        username: user.username,
        roles: user.roles,
        revision: user.revision ?? 0,
      });
    } catch (error) {
      // An administrator changed the user (roles, password, disabled, sessions revoked) after the read.
      if (error instanceof SessionOwnerChangedError) throw new LoginFailedError();
      throw error;
    }
    await forgetStaleSessions(deps, user);
    return { user, session };
  } finally {
    await throttled(() => attempt.finish());
  }
};
