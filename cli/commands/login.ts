import type { Command } from '@commander-js/extra-typings';
import type { TokenPair } from '../api-answers.js';
import type { CommandContext } from '../context.js';
import { describeCredential } from '../credentials.js';
import { fields } from '../format.js';
import { readPassword } from '../io.js';

export const registerLogin = (program: Command, context: () => CommandContext): void => {
  program
    .command('login')
    .description(
      'Log in as a user (POST /auth/login): the token pair is kept in a 0600 file and refreshed as needed',
    )
    .requiredOption('--username <username>', 'who logs in; the password comes from a prompt or stdin')
    .action(async (options) => {
      const ctx = context();
      const client = await ctx.client();
      const target = await ctx.target();
      const password = await readPassword(ctx.io, { confirm: false });
      const answer = await client.request('POST', 'auth/login', {
        anonymous: true,
        json: { username: options.username, password },
      });
      const pair = answer.body as TokenPair;
      await ctx.logins.put(target.baseUrl, {
        username: options.username,
        accessToken: pair.access_token,
        refreshToken: pair.refresh_token,
        accessExpiresAtMs: Date.now() + pair.expires_in * 1000,
      });
      ctx.print(
        { username: options.username, url: target.baseUrl, stored_in: ctx.logins.file },
        `Logged in to ${target.baseUrl} as ${options.username} (tokens in ${ctx.logins.file})\n`,
      );
    });

  program
    .command('logout')
    .description('End the login (POST /auth/logout) and forget its tokens')
    .action(async () => {
      const ctx = context();
      const target = await ctx.target();
      const session = await ctx.logins.get(target.baseUrl);
      if (session !== undefined) {
        const client = await ctx.client();
        // The login itself, whatever other credential the environment holds.
        await client
          .request('POST', 'auth/logout', {
            bearer: session.accessToken,
            json: { refresh_token: session.refreshToken },
          })
          .catch(() => undefined);
        await ctx.logins.remove(target.baseUrl);
      }
      ctx.print(
        { url: target.baseUrl, logged_out: session !== undefined },
        `Logged out of ${target.baseUrl}\n`,
      );
    });

  program
    .command('whoami')
    .description('The API, the credential in use (masked) and the principal it is (GET /api/v1/user/me)')
    .action(async () => {
      const ctx = context();
      const target = await ctx.target();
      const credential = await ctx.credential();
      const answer = await (await ctx.client()).request('GET', 'api/v1/user/me');
      const me = answer.body as { kind: string; username?: string; key_id?: string; roles: string[] };
      ctx.print(
        { url: target.baseUrl, credential: describeCredential(credential), principal: me },
        fields([
          ['url', `${target.baseUrl} (from ${target.source})`],
          ['credential', describeCredential(credential)],
          ['principal', `${me.kind} ${me.username ?? me.key_id ?? ''}`.trim()],
          ['roles', me.roles.join(', ')],
        ]),
      );
    });
};
