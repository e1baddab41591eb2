import type { Command } from '@commander-js/extra-typings';
import type { SessionsRevoked } from '../api-answers.js';
import type { CommandContext } from '../context.js';
import { segment } from './arguments.js';

export const registerSessions = (program: Command, context: () => CommandContext): void => {
  const sessions = program.command('sessions').description('Sessions of users');
  sessions
    .command('revoke')
    .description(
      'Revoke every refresh family and access token of a user at once (POST /admin/users/{username}/sessions/revoke)',
    )
    .requiredOption('--user <username>', 'whose sessions')
    .action(async (options) => {
      const ctx = context();
      const answer = await (await ctx.client()).request(
        'POST',
        `admin/users/${segment(options.user)}/sessions/revoke`,
      );
      const body = answer.body as SessionsRevoked;
      ctx.print(body, `Revoked ${body.sessions_revoked} session(s) of ${body.username}\n`);
    });
};
