/**
 * `gateway` is for the API keys of a self-hosted realtime gateway: it may call the internal gateway
 * endpoints (`/internal/gateway/...`, ADR 0014) and nothing else needs it.
 */
export const roles = ['user', 'admin', 'gateway'] as const;
export type Role = (typeof roles)[number];

export interface User {
  readonly id: string;
  readonly username: string;
  readonly email: string | undefined;
  readonly roles: readonly Role[];
  readonly passwordHash: string;
  readonly createdAt: string;
}

/** What the API may show of a user: never the password or its hash. */
export interface PublicUser {
  readonly id: string;
  readonly username: string;
  readonly email?: string;
  readonly roles: readonly Role[];
  readonly created_at: string;
}

export const toPublicUser = (user: User): PublicUser => ({
  id: user.id,
  username: user.username,
  ...(user.email === undefined ? {} : { email: user.email }),
  roles: user.roles,
  created_at: user.createdAt,
});
