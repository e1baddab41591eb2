import type { Command } from '@commander-js/extra-typings';
import type { PublicUser, SessionsRevoked, UserList } from '../api-answers.js';
import { usageError } from '../cli-error.js';
import type { CommandContext } from '../context.js';
import { fields, orDash, table } from '../format.js';
import { readPassword } from '../io.js';
import { collectRole, segment } from './arguments.js';

type UserView = PublicUser & { readonly sessions_revoked?: number };

const userFields = (user: UserView) =>
  [
    ['username', user.username],
    ['id', user.id],
    ['email', orDash(user.email)],
    ['roles', user.roles.join(', ')],
    ['disabled', user.disabled ? 'yes' : 'no'],
    ['created_at', user.created_at],
    ['updated_at', orDash(user.updated_at)],
    ...(user.sessions_revoked === undefined
      ? []
      : [['sessions revoked', String(user.sessions_revoked)] as const]),
  ] as const;

export const registerUsers = (program: Command, context: () => CommandContext): void => {
  const users = program
    .command('users')
    .description('Users: create, list, show, update (roles, disable), set-password, delete');

  users
    .command('create')
    .description('Create a user (POST /api/v1/user); the password comes from a prompt or stdin')
    .requiredOption('--username <username>', '3-64 characters of a-z 0-9 . _ -')
    .option('--email <email>', 'an e-mail address')
    .option('--role <role>', 'a role (repeatable): user, admin, health; default user', collectRole)
    .action(async (options) => {
      const ctx = context();
      const client = await ctx.client();
      const password = await readPassword(ctx.io, { confirm: true });
      const answer = await client.request('POST', 'api/v1/user', {
        json: {
          username: options.username,
          password,
          ...(options.email === undefined ? {} : { email: options.email }),
          ...(options.role === undefined ? {} : { roles: options.role }),
        },
      });
      ctx.print(answer.body, fields(userFields(answer.body as UserView)));
    });

  users
    .command('list')
    .description('Every user (GET /admin/users)')
    .action(async () => {
      const ctx = context();
      const answer = await (await ctx.client()).request('GET', 'admin/users');
      const list = (answer.body as UserList).users;
      ctx.print(
        answer.body,
        table(
          ['USERNAME', 'ROLES', 'STATUS', 'CREATED'],
          list.map((user) => [
            user.username,
            user.roles.join(','),
            user.disabled ? 'disabled' : 'active',
            user.created_at,
          ]),
        ),
      );
    });

  users
    .command('show')
    .description('One user (GET /admin/users/{username})')
    .argument('<username>')
    .action(async (username) => {
      const ctx = context();
      const answer = await (await ctx.client()).request('GET', `admin/users/${segment(username)}`);
      ctx.print(answer.body, fields(userFields(answer.body as UserView)));
    });

  users
    .command('update')
    .description(
      'Change roles, disable or enable (PATCH /admin/users/{username}); roles or disable revoke every session',
    )
    .argument('<username>')
    .option('--role <role>', "the user's roles, replacing the old ones (repeatable)", collectRole)
    .option('--disable', 'no login; every session revoked')
    .option('--enable', 'may log in again')
    .action(async (username, options) => {
      const ctx = context();
      if (options.disable === true && options.enable === true)
        throw usageError('give --disable or --enable, not both');
      const disabled = options.disable === true ? true : options.enable === true ? false : undefined;
      if (options.role === undefined && disabled === undefined) {
        throw usageError('nothing to change: give --role, --disable or --enable');
      }
      const answer = await (await ctx.client()).request('PATCH', `admin/users/${segment(username)}`, {
        json: {
          ...(options.role === undefined ? {} : { roles: options.role }),
          ...(disabled === undefined ? {} : { disabled }),
        },
      });
      ctx.print(answer.body, fields(userFields(answer.body as UserView)));
    });

  users
    .command('set-password')
    .description("Reset a user's password (PUT /admin/users/{username}/password); every session is revoked")
    .argument('<username>')
    .action(async (username) => {
      const ctx = context();
      const client = await ctx.client();
      const password = await readPassword(ctx.io, { confirm: true });
      const answer = await client.request('PUT', `admin/users/${segment(username)}/password`, {
        json: { password },
      });
      const body = answer.body as SessionsRevoked;
      ctx.print(body, `Password set for ${body.username}; ${body.sessions_revoked} session(s) revoked\n`);
    });

  users
    .command('delete')
    .description(
      'Delete a user (DELETE /admin/users/{username}): disabled, every session revoked, then removed',
    )
    .argument('<username>')
    .action(async (username) => {
      const ctx = context();
      await (await ctx.client()).request('DELETE', `admin/users/${segment(username)}`);
      ctx.print({ username, deleted: true }, `Deleted ${username}\n`);
    });
};
