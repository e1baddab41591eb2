import type { Command } from '@commander-js/extra-typings';
import type { DatasourceView } from '../api-answers.js';
import type { CommandContext } from '../context.js';
import { collectRole, segment } from './arguments.js';

const line = (datasource: DatasourceView): string =>
  `${datasource.id}  read: ${datasource.read_roles.join(',') || '-'}  write: ${datasource.write_roles.join(',') || '-'}`;

export const registerDatasources = (program: Command, context: () => CommandContext): void => {
  const datasources = program.command('datasources').description('Realtime datasources (admin)');
  datasources
    .command('list')
    .description('Every datasource with its roles (GET /admin/datasources)')
    .action(async () => {
      const ctx = context();
      const answer = await (await ctx.client()).request('GET', 'admin/datasources');
      const body = answer.body as { datasources: DatasourceView[] };
      ctx.print(body, body.datasources.map((datasource) => `${line(datasource)}\n`).join(''));
    });
  datasources
    .command('put')
    .description('Create a datasource or replace its roles (PUT /admin/datasources/{datasource_id})')
    .argument('<datasource_id>', 'a slug: 1-32 lowercase letters, digits, inner hyphens')
    .option('--read-role <role>', 'a role that may mint tokens and subscribe (repeatable)', collectRole)
    .option('--write-role <role>', 'a role that may publish (repeatable)', collectRole)
    .action(async (datasourceId, options) => {
      const ctx = context();
      const answer = await (await ctx.client()).request('PUT', `admin/datasources/${segment(datasourceId)}`, {
        json: { read_roles: options.readRole ?? [], write_roles: options.writeRole ?? [] },
      });
      const body = answer.body as DatasourceView;
      ctx.print(body, `${answer.status === 201 ? 'Created' : 'Updated'} ${line(body)}\n`);
    });
  datasources
    .command('delete')
    .description(
      'Delete a datasource; its open connections are closed (DELETE /admin/datasources/{datasource_id})',
    )
    .argument('<datasource_id>', 'the datasource')
    .action(async (datasourceId) => {
      const ctx = context();
      await (await ctx.client()).request('DELETE', `admin/datasources/${segment(datasourceId)}`);
      ctx.print({ deleted: datasourceId }, `Deleted ${datasourceId}\n`);
    });
};
