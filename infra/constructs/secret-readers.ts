import { createHash } from 'node:crypto';
import { Aws, Stack, Token } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { type SecretId, secretDefinitions } from '../../shared/resources/secret-definitions.js';
import type { GatewayFunction } from '../../shared/routes/realtime-gateway.js';
import {
  fallbackRoute,
  firstAdminFunction,
  type InvokedFunction,
  type RouteTable,
} from '../../shared/routes/route-definition.js';

/**
 * Who may read each secret of a data stack (ADR 0018, "Secrets only their readers can read"): the ids of
 * the functions whose entries list it. The data stack turns each id into a role name (roleNameOf) and
 * names those roles in the secrets key's policy and in each secret's resource policy, before the roles
 * exist: the roles live in the API stack, which depends on the data stack, so a reference would be a cycle.
 */
export type SecretReaders = Readonly<Record<SecretId, readonly string[]>>;

/** The function of BulwarkApi that reads the health probe's own secret (with the secrets key). */
export const HEALTH_PROBE_FUNCTION_ID = 'health-probe';

/** IAM's limit on a role name. */
export const ROLE_NAME_MAX_LENGTH = 64;

/** Room kept for the region when it is unknown at synth (`ap-southeast-5` has 14 characters). */
const REGION_NAME_MAX_LENGTH = 14;

const hashOf = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 8);

/**
 * The name of a secret reader's role: `<data stack name>-<function id>-<region>`, unique in the account
 * (IAM names are global to it, so the region is part of the name) and shortened deterministically (a
 * prefix and a hash of the whole) when it would pass IAM's 64 characters. Both stacks compute it the
 * same way; no template references the other's resource.
 */
export const secretReaderRoleName = (dataStackName: string, functionId: string, region: string): string => {
  const regionLength = Token.isUnresolved(region) ? REGION_NAME_MAX_LENGTH : region.length;
  const head = `${dataStackName}-${functionId}`;
  const room = ROLE_NAME_MAX_LENGTH - regionLength - 1;
  const fitted = head.length <= room ? head : `${head.slice(0, room - 9)}-${hashOf(head)}`;
  return `${fitted}-${region}`;
};

/** The ARN of a role by name, in this account (no path: the roles are made with the default `/`). */
export const roleArnOf = (roleName: string): string =>
  `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${roleName}`;

/**
 * The readers of every secret, from the function entries that deploy: the routes of `routes`, the fallback,
 * the first-admin function and the realtime gateway's functions (what BulwarkApi builds from them).
 */
export const secretReadersOf = (
  routes: RouteTable,
  gateway: readonly GatewayFunction[] = [],
): SecretReaders => {
  const entries: readonly Pick<InvokedFunction, 'id' | 'secrets'>[] = [
    ...routes,
    fallbackRoute,
    firstAdminFunction,
    ...gateway,
  ];
  const readersOf = (secretId: SecretId): readonly string[] =>
    entries.filter((entry) => entry.secrets.includes(secretId)).map((entry) => entry.id);
  const readers = {} as Record<SecretId, readonly string[]>;
  for (const secretId of Object.keys(secretDefinitions) as SecretId[])
    readers[secretId] = readersOf(secretId);
  return Object.freeze(readers);
};

/** What a data stack tells the stacks that read its secrets. */
export interface SecretAccess {
  /** Encrypts the secrets; the key policy lets only the readers' roles decrypt. */
  readonly key: IKey;
  /** The function ids allowed to read each secret. */
  readonly readers: SecretReaders;
  /** The role name a reader's function must have (secretReaderRoleName with the data stack's name). */
  readonly roleNameOf: (functionId: string) => string;
}

const accessOfSecret = new WeakMap<ISecret, SecretAccess>();

/** Called by the data stack for each secret it restricts. */
export const registerSecretAccess = (secret: ISecret, access: SecretAccess): void => {
  accessOfSecret.set(secret, access);
};

/** The access rules of a data stack's secret; undefined for a secret made elsewhere (no restriction known). */
export const secretAccessOf = (secret: ISecret): SecretAccess | undefined => accessOfSecret.get(secret);

/**
 * The role name a function must have to read `secretIds` (undefined when it reads none of a data stack's
 * restricted secrets, so its role keeps a generated name). Refused at synth when the data stack does not
 * list the function as a reader: its reads would be denied at run time.
 */
export const readerRoleNameOf = (
  functionId: string,
  secretIds: readonly SecretId[],
  secrets: Readonly<Record<SecretId, ISecret>>,
): string | undefined => {
  const names = new Set<string>();
  for (const secretId of secretIds) {
    const access = secretAccessOf(secrets[secretId]);
    if (access === undefined) continue;
    if (!access.readers[secretId].includes(functionId)) {
      throw new TypeError(
        `Function ${functionId} reads the ${secretId} secret, but its data stack does not list it as a reader ` +
          '(its reads would be denied): pass the data stack `secretReaders: secretReadersOf(<your route table>, ' +
          '<gateway>)` built from the same table as BulwarkApi',
      );
    }
    names.add(access.roleNameOf(functionId));
  }
  if (names.size > 1) {
    throw new TypeError(`Function ${functionId} reads secrets of two data stacks; use one data stack`);
  }
  return [...names][0];
};

/**
 * What `secret.grantRead` grants (GetSecretValue and DescribeSecret on the secret, kms:Decrypt on its key
 * through Secrets Manager), in the grantee's own policy only. CDK's grantRead also writes the grantee's
 * role into the key's policy when the secret has a customer managed key: across stacks that is a reference
 * from the data stack back to the API stack, a cycle. The key policy names the readers by role name instead.
 */
export const grantSecretRead = (grantee: IGrantable, secret: ISecret): void => {
  const principal = grantee.grantPrincipal;
  principal.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
      resources: [secret.secretArn],
    }),
  );
  const key = secretAccessOf(secret)?.key ?? secret.encryptionKey;
  if (key !== undefined) {
    principal.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(secret).region}.amazonaws.com` },
        },
      }),
    );
  }
};
