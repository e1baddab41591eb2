export const roles = ['user', 'admin'] as const;
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
