import type { Role } from '../domain/users/user.js';

/** Who is calling. Later authentication methods add kinds (user, per-key API keys). */
export type Principal =
  | { readonly kind: 'api_key'; readonly id: string; readonly roles: readonly Role[] }
  | { readonly kind: 'auth_disabled'; readonly id: string; readonly roles: readonly Role[] };
