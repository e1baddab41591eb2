import * as z from 'zod/mini';
import { type Role, roles } from '../users/user.js';

/**
 * A datasource id: a short slug (1-32 characters: lowercase letters, digits, inner hyphens). Strict so an
 * id is safe in a channel name, a DynamoDB key, a URL path and a log line without escaping.
 */
const slugPattern = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

export const slugMessage = 'must be 1-32 lowercase letters, digits or inner hyphens';

export const isSlug = (value: unknown): value is string =>
  typeof value === 'string' && slugPattern.test(value);

export const datasourceId = z
  .string()
  .check(z.regex(slugPattern, slugMessage))
  .clone()
  .register(z.globalRegistry, {
    description: 'A slug: 1-32 lowercase letters, digits or inner hyphens',
    example: 'orders',
  });

const roleList = z.array(z.enum(roles)).check(
  z.maxLength(roles.length),
  z.refine((list) => new Set(list).size === list.length, { message: 'must not repeat a role' }),
);

/** `PUT /admin/datasources/{datasource_id}` body: who may subscribe (read) and who may publish (write). */
export const putDatasourceBody = z.strictObject({
  read_roles: roleList.check(z.minLength(1)),
  write_roles: roleList,
});

export type PutDatasourceBody = z.output<typeof putDatasourceBody>;

/** A named stream clients subscribe to (`datasource:<id>`), readable and writable by roles. */
export interface Datasource {
  readonly id: string;
  readonly readRoles: readonly Role[];
  readonly writeRoles: readonly Role[];
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** The admin API's representation (snake_case), named fields only. */
export interface DatasourceView {
  readonly id: string;
  readonly read_roles: readonly Role[];
  readonly write_roles: readonly Role[];
  readonly created_at: string;
  readonly updated_at: string;
}

const instant = z.iso.datetime({ offset: true });
const roleArray = z.array(z.enum(roles));

/** The admin API's answer for one datasource (the contract of `toDatasourceView`). */
export const datasourceViewBody = z
  .strictObject({
    id: datasourceId,
    read_roles: roleArray
      .clone()
      .register(z.globalRegistry, { description: 'Roles that may mint a token for it and subscribe' }),
    write_roles: roleArray
      .clone()
      .register(z.globalRegistry, { description: 'Roles that may publish to it' }),
    created_at: instant,
    updated_at: instant,
  })
  .clone()
  .register(z.globalRegistry, {
    id: 'Datasource',
    description: 'A named stream clients subscribe to as `datasource:<id>`',
  });

export const toDatasourceView = (datasource: Datasource): DatasourceView => ({
  id: datasource.id,
  read_roles: [...datasource.readRoles],
  write_roles: [...datasource.writeRoles],
  created_at: new Date(datasource.createdAtMs).toISOString(),
  updated_at: new Date(datasource.updatedAtMs).toISOString(),
});

/** Whether a principal holding `granted` may do what `allowed` lists: at least one role in common. */
export const holdsOneOf = (granted: readonly Role[], allowed: readonly Role[]): boolean =>
  allowed.some((role) => granted.includes(role));
