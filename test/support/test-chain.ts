import type * as z from 'zod';
import { authenticationFor } from '../../shared/chain/authentication-for.js';
import {
  createSecureHandler,
  type RouteHandle,
  type SecureHandler,
  type SecureRouteOptions,
} from '../../shared/chain/create-secure-handler.js';
import { refreshSessionsFor } from '../../shared/runtime/refresh-sessions-for.js';
import type { Runtime } from '../../shared/runtime/runtime.js';

/**
 * A chain built by hand for tests of the chain itself, with the runtime's real authentication (its
 * in-memory stores). Without a rate limit, revocation is checked by a read of the session store, as the
 * chain requires.
 */
export const chainOf = async <TSchema extends z.core.$ZodType | undefined = undefined>(
  runtime: Runtime,
  options: Omit<SecureRouteOptions<TSchema>, 'routeId' | 'authentication'> & { readonly routeId?: string },
  handle: RouteHandle<TSchema>,
): Promise<SecureHandler> =>
  createSecureHandler(
    runtime,
    {
      routeId: 'route',
      ...options,
      ...(options.auth === 'required'
        ? {
            authentication: {
              ...(await authenticationFor(runtime)),
              isSessionRevoked: (sessionId: string) =>
                refreshSessionsFor(runtime).isSessionRevoked(sessionId),
            },
          }
        : {}),
    },
    handle,
  );
