/**
 * The route table's DynamoDB grants against what each deployed function's code really sends. Every
 * function module (functions/<id>/handler.ts, loaded as npm start loads them) runs its paths against a
 * mocked DynamoDB that keeps Puts and answers Gets. Then, per function:
 * - every call is allowed by the function's grants, judged as IAM does: each item of a transaction as
 *   its own action, `dynamodb:LeadingKeys` matched with StringLike against the item's partition key;
 * - every grant is used by some call: the grants are no broader than the code.
 * A grant the code outgrows fails here (before it becomes AccessDenied in production), and so does one
 * the code no longer needs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactGetItemsCommand,
  type TransactGetItemsCommandInput,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import bcrypt from 'bcryptjs';
import { decodeJwt as decodeJwtPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { dynamoDbApiKeyStore } from '../../../shared/adapters/dynamodb/dynamodb-api-key-store.js';
import { dynamoDbUsersRepository } from '../../../shared/adapters/dynamodb/dynamodb-users-repository.js';
import { createApiKeys } from '../../../shared/domain/api-keys/create-api-keys.js';
import { systemClock } from '../../../shared/domain/clock.js';
import type { WebSocketEvent } from '../../../shared/gateway/websocket-event.js';
import { ensureLocalSecrets } from '../../../shared/local/ensure-local-secrets.js';
import { type SecretId, secretDefinitions } from '../../../shared/resources/secret-definitions.js';
import { type TableId, tableDefinitions } from '../../../shared/resources/table-definitions.js';
import { type GatewayFunction, realtimeGateway } from '../../../shared/routes/realtime-gateway.js';
import {
  firstAdminFunction,
  type InvokedFunction,
  type TableGrant,
} from '../../../shared/routes/route-definition.js';
import { functionEntry, securedFunctions } from '../../../shared/routes/route-table.js';
import { type ConverseStandIn, startConverseStandIn } from '../../support/converse-stand-in.js';
import { apiGatewayEvent, lambdaContext } from '../../support/test-runtime.js';

type Item = Record<string, AttributeValue>;
type Handler = (event: APIGatewayProxyEvent, context: unknown) => Promise<APIGatewayProxyResult>;

/** One DynamoDB permission check, as IAM makes it: an action on one item (no key for Scan). */
interface Access {
  readonly table: TableId;
  readonly action: string;
  readonly partitionKey: string | undefined;
}

const tableName = (id: TableId): string => `grants-${id}`;
const tableIdOf = new Map(
  Object.values(tableDefinitions).map((definition) => [tableName(definition.id), definition.id]),
);
const secretArn = (id: SecretId): string =>
  `arn:aws:secretsmanager:eu-west-1:000000000000:secret:grants-${id}`;

const tableOf = (name: string | undefined): TableId => {
  const id = tableIdOf.get(String(name));
  if (id === undefined) throw new Error(`a call names an unknown table ${String(name)}`);
  return id;
};
const partitionKeyOf = (table: TableId, keyOrItem: Item | undefined): string | undefined =>
  keyOrItem?.[tableDefinitions[table].partitionKey.name]?.S;
const access = (name: string | undefined, action: string, keyOrItem?: Item): Access => {
  const table = tableOf(name);
  return { table, action, partitionKey: partitionKeyOf(table, keyOrItem) };
};

/** What IAM evaluates for one SDK command: a transaction is one check per item. */
const accessesOf = (command: { constructor: { name: string }; input: unknown }): Access[] => {
  const input = command.input as {
    TableName?: string;
    Key?: Item;
    Item?: Item;
    TransactItems?: TransactWriteItem[];
  };
  switch (command.constructor.name) {
    case 'GetItemCommand':
      return [access(input.TableName, 'GetItem', input.Key)];
    case 'PutItemCommand':
      return [access(input.TableName, 'PutItem', input.Item)];
    case 'UpdateItemCommand':
      return [access(input.TableName, 'UpdateItem', input.Key)];
    case 'DeleteItemCommand':
      return [access(input.TableName, 'DeleteItem', input.Key)];
    case 'ScanCommand':
      return [access(input.TableName, 'Scan')];
    case 'TransactGetItemsCommand':
      // Authorised as one GetItem per item.
      return (
        (input as { TransactItems?: { Get?: { TableName?: string; Key?: Item } }[] }).TransactItems ?? []
      ).map((item) => access(item.Get?.TableName, 'GetItem', item.Get?.Key));
    case 'QueryCommand': {
      // A Query's partition is the `:pk` of its key condition, what dynamodb:LeadingKeys sees.
      const values = (command.input as { ExpressionAttributeValues?: Item }).ExpressionAttributeValues;
      return [{ table: tableOf(input.TableName), action: 'Query', partitionKey: values?.[':pk']?.S }];
    }
    case 'TransactWriteItemsCommand':
      return (input.TransactItems ?? []).map((item) => {
        if (item.Put !== undefined) return access(item.Put.TableName, 'PutItem', item.Put.Item);
        if (item.Update !== undefined) return access(item.Update.TableName, 'UpdateItem', item.Update.Key);
        if (item.Delete !== undefined) return access(item.Delete.TableName, 'DeleteItem', item.Delete.Key);
        if (item.ConditionCheck !== undefined) {
          return access(item.ConditionCheck.TableName, 'ConditionCheckItem', item.ConditionCheck.Key);
        }
        throw new Error('a transaction item of an unknown kind');
      });
    default:
      // Query, BatchGetItem, ... : named so the check below reports them as not granted.
      return [
        {
          table: tableOf(input.TableName),
          action: command.constructor.name.replace(/Command$/, ''),
          partitionKey: undefined,
        },
      ];
  }
};

/** IAM StringLike: `*` any run of characters, `?` one character, everything else literal. */
const stringLike = (pattern: string, value: string): boolean =>
  new RegExp(
    `^${pattern
      .split('')
      .map((character) =>
        character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
      )
      .join('')}$`,
  ).test(value);

const leadingKeysOf = (grant: TableGrant): readonly string[] | undefined =>
  'leadingKeys' in grant ? grant.leadingKeys : undefined;

/** Whether one grant allows one access (ForAllValues over the one leading key an item request has). */
const grantAllows = (grant: TableGrant, request: Access): boolean => {
  if (!(grant.actions as readonly string[]).includes(request.action)) return false;
  const leadingKeys = leadingKeysOf(grant);
  if (leadingKeys === undefined) return true;
  return (
    request.partitionKey !== undefined &&
    leadingKeys.some((pattern) => stringLike(pattern, request.partitionKey ?? ''))
  );
};

const isAllowed = (secured: Pick<GatewayFunction, 'tables'>, request: Access): boolean =>
  (secured.tables[request.table] ?? []).some((grant) => grantAllows(grant, request));

/** Every deployed function that touches a table: the routes, the fallback and the first admin's. */
const checkedFunctions: readonly InvokedFunction[] = [...securedFunctions, firstAdminFunction];

describe('DynamoDB grants of the route table against the calls of each function', () => {
  const ddb = mockClient(DynamoDBClient);
  const items = new Map<string, Item>();
  const itemKey = (table: TableId, partitionKey: string | undefined, sortKey?: string): string =>
    `${table}|${String(partitionKey)}|${sortKey ?? ''}`;
  /** The item's key in the mock: its partition key and, in the realtime table, its sort key. */
  const keyOf = (table: TableId, keyOrItem: Item | undefined): string => {
    const sortKeyName = tableDefinitions[table].sortKey?.name;
    return itemKey(
      table,
      partitionKeyOf(table, keyOrItem),
      sortKeyName === undefined ? undefined : keyOrItem?.[sortKeyName]?.S,
    );
  };
  const faults = { transactionConflict: false, familyReplay: false };
  const accesses = new Map<string, Access[]>();
  const statuses = new Map<string, number[]>();
  let directory: string;
  let handlers: Map<string, Handler>;
  let standIn: ConverseStandIn;

  /** The mocked table: Puts kept, Gets answered, updates answered with the stored item (ALL_NEW). */
  const installTable = (): void => {
    ddb.reset();
    const stored = (name: string | undefined, keyOrItem: Item | undefined): Item | undefined => {
      const table = tableOf(name);
      return items.get(keyOf(table, keyOrItem));
    };
    const put = (name: string | undefined, item: Item | undefined): void => {
      const table = tableOf(name);
      if (item !== undefined) items.set(keyOf(table, item), item);
    };
    ddb.on(GetItemCommand).callsFake((input) => ({ Item: stored(input.TableName, input.Key) }));
    ddb.on(PutItemCommand).callsFake((input) => {
      put(input.TableName, input.Item);
      return {};
    });
    const remove = (name: string | undefined, key: Item | undefined): Item | undefined => {
      const table = tableOf(name);
      const old = items.get(keyOf(table, key));
      items.delete(keyOf(table, key));
      return old;
    };
    ddb.on(DeleteItemCommand).callsFake((input) => {
      const old = remove(input.TableName, input.Key);
      // A conditional delete of nothing (a used datasource token) fails its condition, as DynamoDB does.
      if (old === undefined && input.ConditionExpression !== undefined)
        throw new ConditionalCheckFailedException({ message: 'no item', $metadata: {} });
      return input.ReturnValues === 'ALL_OLD' ? { Attributes: old } : {};
    });
    ddb.on(QueryCommand).callsFake((input) => {
      const table = tableOf(input.TableName);
      const pk = input.ExpressionAttributeValues?.[':pk']?.S;
      return {
        Items: [...items.entries()]
          .filter(([key]) => key.startsWith(`${table}|${String(pk)}|`))
          .map(([, item]) => item),
      };
    });
    /** The two set updates of a realtime connection: subscribe (ADD) and unsubscribe (DELETE). */
    const applyChannels = (
      name: string | undefined,
      key: Item | undefined,
      update: Record<string, unknown>,
    ) => {
      const expression = String(update.UpdateExpression ?? '');
      const current = stored(name, key);
      const channel = (update.ExpressionAttributeValues as Item | undefined)?.[':channel']?.SS ?? [];
      if (current === undefined || !/#channels/.test(expression)) return;
      const channels = new Set(current.channels?.SS ?? []);
      for (const name of channel) {
        if (expression.startsWith('ADD')) channels.add(name);
        else channels.delete(name);
      }
      put(name, { ...current, ...(channels.size === 0 ? {} : { channels: { SS: [...channels] } }) });
    };
    ddb.on(ScanCommand).callsFake((input) => {
      const table = tableOf(input.TableName);
      return {
        Items: [...items.entries()].filter(([key]) => key.startsWith(`${table}|`)).map(([, item]) => item),
      };
    });
    ddb.on(UpdateItemCommand).callsFake((input) => {
      const table = tableOf(input.TableName);
      const partitionKey = partitionKeyOf(table, input.Key) ?? '';
      const current = stored(input.TableName, input.Key);
      if (faults.familyReplay && partitionKey.startsWith('family#')) {
        faults.familyReplay = false;
        throw new ConditionalCheckFailedException({ message: 'replayed', $metadata: {}, Item: current });
      }
      if (partitionKey.startsWith('rl#')) return { Attributes: { count: { N: '1' } } };
      const proven = input.ExpressionAttributeValues?.[':version'];
      if (table === 'apiKeys' && proven !== undefined && current?.version?.N !== proven.N) {
        // An API key's limiter write proves the record's version (ADR 0005): a changed record fails it.
        throw new ConditionalCheckFailedException({
          message: 'record changed',
          $metadata: {},
          Item: current,
        });
      }
      if (partitionKey.startsWith('lkg#')) {
        // The last good answer: kept, so a failed model call can serve it back.
        const values = input.ExpressionAttributeValues ?? {};
        put(input.TableName, {
          pk: { S: partitionKey },
          body: values[':body'] ?? { S: '{}' },
          storedAt: values[':now'] ?? { N: '0' },
        });
        return {};
      }
      if (partitionKey.startsWith('login#')) return { Attributes: { failures: { N: '1' } } };
      if (partitionKey === 'datasource') {
        // A datasource upsert returns the item it wrote (ALL_NEW).
        const values = input.ExpressionAttributeValues ?? {};
        const item: Item = {
          ...(input.Key ?? {}),
          readRoles: values[':readRoles'] ?? { L: [] },
          writeRoles: values[':writeRoles'] ?? { L: [] },
          createdAtMs: current?.createdAtMs ?? values[':now'] ?? { N: '0' },
          updatedAtMs: values[':now'] ?? { N: '0' },
        };
        put(input.TableName, item);
        return { Attributes: item };
      }
      return { Attributes: current ?? {} };
    });
    ddb.on(TransactWriteItemsCommand).callsFake((input) => {
      if (faults.transactionConflict) {
        faults.transactionConflict = false;
        throw new TransactionCanceledException({
          message: 'Transaction cancelled',
          $metadata: {},
          CancellationReasons: (input.TransactItems ?? []).map((_: unknown, index: number) => ({
            Code: index === 1 ? 'TransactionConflict' : 'None',
          })),
        });
      }
      for (const item of input.TransactItems ?? []) {
        if (item.Put !== undefined) put(item.Put.TableName, item.Put.Item);
        if (item.Delete !== undefined) remove(item.Delete.TableName, item.Delete.Key);
        if (item.Update !== undefined) applyChannels(item.Update.TableName, item.Update.Key, item.Update);
      }
      return {};
    });
    ddb.on(TransactGetItemsCommand).callsFake((input: TransactGetItemsCommandInput) => ({
      Responses: (input.TransactItems ?? []).map((item) => ({
        Item: stored(item.Get?.TableName, item.Get?.Key),
      })),
    }));
  };

  let lastInvoked: string | undefined;
  const invoke = async (
    id: string,
    options: Parameters<typeof apiGatewayEvent>[0] & { readonly pathParameters?: Record<string, string> },
    before?: () => void,
  ): Promise<APIGatewayProxyResult> => {
    const handler = handlers.get(id);
    if (handler === undefined) throw new Error(`no handler ${id}`);
    // In Lambda every function is a process of its own, with no API-key record cached from another
    // function. Here they share one, so whenever another function is invoked the records change: its
    // first API-key request reads the record again (GetItem), as a cold instance's does.
    if (lastInvoked !== id) {
      lastInvoked = id;
      for (const [key, item] of items) {
        if (key.startsWith('apiKeys|') && item.version?.N !== undefined)
          items.set(key, { ...item, version: { N: String(Number(item.version.N) + 1) } });
      }
    }
    const { pathParameters, ...eventOptions } = options;
    const event = apiGatewayEvent(eventOptions);
    ddb.resetHistory();
    before?.();
    const response = await handler(
      pathParameters === undefined ? event : { ...event, pathParameters },
      lambdaContext(),
    );
    const made = ddb.calls().flatMap((call) => accessesOf(call.args[0] as never));
    accesses.set(id, [...(accesses.get(id) ?? []), ...made]);
    statuses.set(id, [...(statuses.get(id) ?? []), response.statusCode]);
    return response;
  };

  const json = (method: string, path: string, body: unknown, headers: Record<string, string> = {}) => ({
    method,
    path,
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', ...headers },
  });

  /** A management API that finds every connection gone (410): publish and revocation then forget them. */
  let managementApi: Server;
  const gatewayCalls: { id: string; event: unknown; result: unknown }[] = [];

  /** Invokes a gateway function (WebSocket or stream event) and records its DynamoDB calls like a route's. */
  const invokeGateway = async (id: string, event: WebSocketEvent | DynamoDBStreamEvent): Promise<unknown> => {
    const handler = handlers.get(id) as unknown as (event: unknown, context: unknown) => Promise<unknown>;
    ddb.resetHistory();
    const result = await handler(event, lambdaContext());
    const made = ddb.calls().flatMap((call) => accessesOf(call.args[0] as never));
    accesses.set(id, [...(accesses.get(id) ?? []), ...made]);
    gatewayCalls.push({ id, event, result });
    return result;
  };

  const webSocketEvent = (
    routeKey: string,
    connectionId: string,
    extra: Partial<WebSocketEvent> = {},
  ): WebSocketEvent => ({
    requestContext: {
      routeKey,
      eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
      connectionId,
      requestId: randomUUID(),
      identity: { sourceIp: '198.51.100.20' },
    },
    ...extra,
  });

  beforeAll(async () => {
    managementApi = createServer((_request, response) => response.writeHead(410).end('{"message":null}'));
    await new Promise<void>((resolve) => managementApi.listen(0, '127.0.0.1', resolve));
    vi.stubEnv('REALTIME_URL', 'ws://127.0.0.1:1/local');
    vi.stubEnv(
      'REALTIME_CALLBACK_URL',
      `http://127.0.0.1:${(managementApi.address() as AddressInfo).port}/local`,
    );
    directory = mkdtempSync(join(tmpdir(), 'bulwark-grants-'));
    standIn = await startConverseStandIn();
    writeFileSync(
      join(directory, 'bulwark-local.jsonl'),
      `${JSON.stringify({ level: 'ERROR', message: 'boom', timestamp: new Date().toISOString(), route: 'login' })}\n`,
    );
    const secretsFile = join(directory, 'secrets.json');
    const secrets = await ensureLocalSecrets(secretsFile, secretArn);
    const environment: Record<string, string> = {
      ENVIRONMENT: 'development',
      LOG_LEVEL: 'error',
      AWS_REGION: 'eu-west-1',
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:9',
      LOCAL_SECRETS_FILE: secretsFile,
      PASSWORD_BCRYPT_COST: '10',
      // Triage reads an empty local log folder and asks the Converse stand-in (the breakers table's grants).
      TRIAGE_LOCAL_LOG_DIR: directory,
      TRIAGE_MODEL_ID: 'eu.anthropic.claude-haiku-4-5-20251001-v1:0',
      TRIAGE_BEDROCK_ENDPOINT: standIn.endpoint,
    };
    for (const definition of Object.values(tableDefinitions))
      environment[definition.environmentVariable] = tableName(definition.id);
    for (const definition of Object.values(secretDefinitions))
      environment[definition.environmentVariable] = secretArn(definition.id);
    for (const [name, value] of Object.entries(environment)) vi.stubEnv(name, value);
    installTable();

    // Seed a user and an API key through the real adapters (their calls are not counted).
    const client = new DynamoDBClient({ region: 'eu-west-1' });
    const password = 'correct horse battery staple';
    await dynamoDbUsersRepository(client, tableName('users')).create({
      id: randomUUID(),
      username: 'root',
      email: undefined,
      roles: ['admin'],
      passwordHash: await bcrypt.hash(password, 10),
      createdAt: new Date().toISOString(),
    });
    // One user per user-administration route, each with a session reference the change must revoke.
    const userRoutes = [
      'show-user',
      'update-user',
      'set-user-password',
      'revoke-user-sessions',
      'delete-user',
    ] as const;
    for (const id of userRoutes) {
      const sessionId = randomBytes(16).toString('base64url');
      const familyId = randomBytes(16).toString('base64url');
      items.set(itemKey('users', `target-${id}`), {
        username: { S: `target-${id}` },
        id: { S: randomUUID() },
        roles: { L: [{ S: 'user' }] },
        passwordHash: { S: await bcrypt.hash('a long old password', 4) },
        createdAt: { S: new Date().toISOString() },
        revision: { N: '3' },
        sessionRefs: { SS: [`${sessionId}:${familyId}:${Math.floor(Date.now() / 1000) + 3600}`] },
      });
    }
    const pepper = String((secrets[secretArn('apiKeyPepper')] as { pepper: string }).pepper);
    const { apiKey, key } = await createApiKeys({
      store: dynamoDbApiKeyStore(client, tableName('apiKeys')),
      pepper: async () => pepper,
      clock: systemClock,
    }).issue({ name: 'grants test', roles: ['admin'] });
    const gatewayKey = await createApiKeys({
      store: dynamoDbApiKeyStore(client, tableName('apiKeys')),
      pepper: async () => pepper,
      clock: systemClock,
    }).issue({ name: 'grants gateway', roles: ['gateway'] });
    client.destroy();

    handlers = new Map();
    for (const secured of [...securedFunctions, ...realtimeGateway]) {
      const module = (await import(`../../../${functionEntry(secured.id)}`)) as { handler: Handler };
      handlers.set(secured.id, module.handler);
    }

    // The first admin's function (invoked through IAM, not a route): refused while an admin key is
    // active (a scan only), then forced (a scan and the new record).
    const firstAdmin = (await import('../../../functions/bootstrap-admin/handler.js')) as {
      handler: (event: unknown) => Promise<unknown>;
    };
    for (const event of [{}, { force: true }]) {
      ddb.resetHistory();
      const outcome = await firstAdmin.handler(event).then(
        () => 200,
        (error: unknown) => (error instanceof Error && error.name === 'FirstAdminRefusedError' ? 409 : 500),
      );
      const made = ddb.calls().flatMap((call) => accessesOf(call.args[0] as never));
      accesses.set(firstAdminFunction.id, [...(accesses.get(firstAdminFunction.id) ?? []), ...made]);
      statuses.set(firstAdminFunction.id, [...(statuses.get(firstAdminFunction.id) ?? []), outcome]);
    }

    await invoke('health', { path: '/health' });
    await invoke('jwks', { path: '/.well-known/jwks.json' });
    await invoke('openapi', { path: '/openapi.json' });
    await invoke('route-fallback', { path: '/no-such-path' });

    await invoke('login', json('POST', '/auth/login', { username: 'root', password: 'wrong password here' }));
    const login = await invoke('login', json('POST', '/auth/login', { username: 'root', password }));
    const tokens = JSON.parse(login.body) as { access_token: string; refresh_token: string };
    const familyId = tokens.refresh_token.slice('brt_'.length, 'brt_'.length + 22);

    const refreshed = await invoke(
      'refresh-token',
      json('POST', '/auth/token/refresh', { refresh_token: tokens.refresh_token }),
    );
    const { refresh_token: rotated } = JSON.parse(refreshed.body) as { refresh_token: string };
    // A replayed (here: forged) secret of the family: the rotation's condition fails and the family is revoked.
    const replayed = `brt_${familyId}.${randomBytes(32).toString('base64url')}`;
    await invoke('refresh-token', json('POST', '/auth/token/refresh', { refresh_token: replayed }), () => {
      faults.familyReplay = true;
    });

    const bearer = { Authorization: `Bearer ${tokens.access_token}` };
    const key_id = key.key_id;
    const requests: Record<
      string,
      (credential: Record<string, string>, n: number) => Parameters<typeof invoke>[1]
    > = {
      logout: (credential) => json('POST', '/auth/logout', { refresh_token: rotated }, credential),
      'current-user': (credential) => ({ path: '/api/v1/user/me', headers: credential }),
      'create-user': (credential, n) =>
        json('POST', '/api/v1/user', { username: `user${n}`, password: 'another long password' }, credential),
      'create-api-key': (credential) =>
        json('POST', '/admin/api-keys', { name: 'more', roles: ['user'] }, credential),
      'list-api-keys': (credential) => ({ path: '/admin/api-keys', headers: credential }),
      'update-api-key': (credential) => ({
        ...json('PATCH', `/admin/api-keys/${key_id}`, { roles: ['admin'] }, credential),
        pathParameters: { key_id },
      }),
      'rotate-api-key': (credential) => ({
        ...json('POST', `/admin/api-keys/${key_id}/rotate`, { overlap_seconds: 60 }, credential),
        pathParameters: { key_id },
      }),
      'summarize-errors': (credential) => json('POST', '/debug/summarize-errors', {}, credential),
      'revoke-api-key': (credential) => ({
        method: 'DELETE',
        path: `/admin/api-keys/${key_id}`,
        headers: credential,
        pathParameters: { key_id },
      }),
      'health-full': (credential) => ({ path: '/health/full', headers: credential }),
      'list-users': (credential) => ({ path: '/admin/users', headers: credential }),
      'show-user': (credential) => ({
        path: '/admin/users/target-show-user',
        headers: credential,
        pathParameters: { username: 'target-show-user' },
      }),
      'update-user': (credential) => ({
        ...json('PATCH', '/admin/users/target-update-user', { roles: ['user'] }, credential),
        pathParameters: { username: 'target-update-user' },
      }),
      'set-user-password': (credential) => ({
        ...json(
          'PUT',
          '/admin/users/target-set-user-password/password',
          { password: 'a new long password' },
          credential,
        ),
        pathParameters: { username: 'target-set-user-password' },
      }),
      'revoke-user-sessions': (credential) => ({
        method: 'POST',
        path: '/admin/users/target-revoke-user-sessions/sessions/revoke',
        headers: credential,
        pathParameters: { username: 'target-revoke-user-sessions' },
      }),
      'delete-user': (credential) => ({
        method: 'DELETE',
        path: '/admin/users/target-delete-user',
        headers: credential,
        pathParameters: { username: 'target-delete-user' },
      }),
    };
    // Each authenticated function: an access token (limiter transaction with the marker check), the same
    // when the transaction conflicts (consistent marker read, then a plain update), and an API key.
    let n = 0;
    for (const [id, request] of Object.entries(requests)) {
      n += 3;
      await invoke(id, request({ 'X-Api-Key': apiKey }, n));
      await invoke(id, request(bearer, n + 1), () => {
        faults.transactionConflict = true;
      });
      await invoke(id, request(bearer, n + 2));
    }

    // Triage: a fresh answer (reads the circuit, stores the last good answer), then failures until the
    // circuit opens (its one write) with the last good answer read back for each.
    // Three failures (within the route's burst of 3 per principal) open it: its one write.
    standIn.setMode({ kind: 'fail' });
    for (const credential of [{ 'X-Api-Key': apiKey }, { 'X-Api-Key': apiKey }, bearer]) {
      await invoke('summarize-errors', json('POST', '/debug/summarize-errors', {}, credential));
    }

    // The realtime routes and the gateway, in the order a client meets them: a datasource, tokens (a
    // user's and an API key's), connects, messages, publish, a disconnect, revocations, deletion.
    const adminKey = { 'X-Api-Key': apiKey };
    const gateway = { 'X-Api-Key': gatewayKey.apiKey };
    const datasource = { pathParameters: { datasource_id: 'orders' } };
    await invoke('put-datasource', {
      ...json(
        'PUT',
        '/admin/datasources/orders',
        { read_roles: ['admin'], write_roles: ['admin'] },
        adminKey,
      ),
      ...datasource,
    });
    await invoke('list-datasources', { path: '/admin/datasources', headers: bearer });
    const mint = async (credential: Record<string, string>): Promise<string> => {
      const minted = await invoke('create-datasource-token', {
        method: 'POST',
        path: '/api/v1/datasources/orders/token',
        headers: credential,
        ...datasource,
      });
      return (JSON.parse(minted.body) as { token: string }).token;
    };
    const connect = (connectionId: string, token: string) =>
      invokeGateway(
        'realtime-connect',
        webSocketEvent('$connect', connectionId, {
          headers: { 'Sec-WebSocket-Protocol': `bulwark.v1, ${token}` },
          multiValueHeaders: { 'Sec-WebSocket-Protocol': [`bulwark.v1, ${token}`] },
        }),
      );
    const message = (connectionId: string, body: unknown) =>
      invokeGateway(
        'realtime-message',
        webSocketEvent('$default', connectionId, { body: JSON.stringify(body) }),
      );
    const byUser = await mint(bearer);
    const byKey = await mint(adminKey);
    await connect('conn-user=', byUser);
    await connect('conn-key=', byKey);
    await connect('conn-again=', byKey);
    await connect('conn-closing=', await mint(bearer));
    await message('conn-user=', { action: 'subscribe', channel: 'datasource:orders' });
    await message('conn-key=', { action: 'subscribe', channel: 'public:news' });
    await message('conn-key=', { action: 'unsubscribe', channel: 'public:news' });
    await message('conn-key=', { action: 'subscribe', channel: 'public:sport' });
    await message('conn-closing=', { action: 'subscribe', channel: 'public:news' });
    await invoke(
      'introspect-datasource-token',
      json('POST', '/internal/gateway/datasource-introspect', { token: await mint(adminKey) }, gateway),
    );
    await invoke('list-revoked-tokens', { path: '/internal/gateway/revoked-tokens', headers: gateway });
    await invoke(
      'consume-rate-limit',
      json(
        'POST',
        '/internal/gateway/rate-limit/consume',
        { key: 'ip:198.51.100.20', policy: 'connect_ip' },
        gateway,
      ),
    );
    // Every subscriber is gone at the management API: publish forgets it.
    await invoke('publish-datasource-event', {
      ...json('POST', '/api/v1/datasources/orders/events', { status: 'shipped' }, adminKey),
      ...datasource,
    });
    // An API key's datasource subscribe proves the key's roles (after the publish, which forgets every
    // subscriber of the datasource, so the revocations below still find this connection to close).
    await message('conn-key=', { action: 'subscribe', channel: 'datasource:orders' });
    await invokeGateway('realtime-disconnect', webSocketEvent('$disconnect', 'conn-closing='));
    // The gateway key is revoked: its record says so when the stream's MODIFY comes in.
    const gatewayRecord = [...items.entries()].find(([itemId]) =>
      itemId.startsWith(`apiKeys|${gatewayKey.key.key_id}|`),
    );
    if (gatewayRecord !== undefined)
      items.set(gatewayRecord[0], { ...gatewayRecord[1], revoked: { BOOL: true } });
    const streamRecord = (table: TableId, eventName: 'INSERT' | 'MODIFY' | 'REMOVE', keys: Item) => ({
      eventName,
      eventSourceARN: `arn:aws:dynamodb:eu-west-1:000000000000:table/${tableName(table)}/stream/2026`,
      dynamodb: { Keys: keys, ApproximateCreationDateTime: Math.floor(Date.now() / 1000) },
    });
    const sessionId = (decodeJwtPayload(tokens.access_token) as { sid: string }).sid;
    await invokeGateway('realtime-revocations', {
      Records: [
        streamRecord('sessions', 'INSERT', { pk: { S: `revoked#${sessionId}` } }),
        streamRecord('apiKeys', 'MODIFY', { keyId: { S: gatewayKey.key.key_id } }),
        streamRecord('realtime', 'REMOVE', { pk: { S: 'datasource' }, sk: { S: 'orders' } }),
      ],
    } as DynamoDBStreamEvent);
    await invoke('delete-datasource', {
      method: 'DELETE',
      path: '/admin/datasources/orders',
      headers: adminKey,
      ...datasource,
    });

    // Authentication's own grants on each realtime route, as for the others above: an API key, an
    // access token whose limiter transaction conflicts (the marker read), an access token.
    const other = { pathParameters: { datasource_id: 'more' } };
    const realtimeRequests: Record<
      string,
      (credential: Record<string, string>) => Parameters<typeof invoke>[1]
    > = {
      'put-datasource': (credential) => ({
        ...json(
          'PUT',
          '/admin/datasources/more',
          { read_roles: ['admin'], write_roles: ['admin'] },
          credential,
        ),
        ...other,
      }),
      'list-datasources': (credential) => ({ path: '/admin/datasources', headers: credential }),
      'create-datasource-token': (credential) => ({
        method: 'POST',
        path: '/api/v1/datasources/more/token',
        headers: credential,
        ...other,
      }),
      'publish-datasource-event': (credential) => ({
        ...json('POST', '/api/v1/datasources/more/events', [1, 2, 3], credential),
        ...other,
      }),
      // The admin's credentials lack the gateway role (403), after authentication and the limiter.
      'introspect-datasource-token': (credential) =>
        json('POST', '/internal/gateway/datasource-introspect', { token: 'bdt_x' }, credential),
      'list-revoked-tokens': (credential) => ({
        path: '/internal/gateway/revoked-tokens',
        headers: credential,
      }),
      'consume-rate-limit': (credential) =>
        json(
          'POST',
          '/internal/gateway/rate-limit/consume',
          { key: 'ip:192.0.2.1', policy: 'connect_ip' },
          credential,
        ),
      'delete-datasource': (credential) => ({
        method: 'DELETE',
        path: '/admin/datasources/more',
        headers: credential,
        ...other,
      }),
    };
    for (const [id, request] of Object.entries(realtimeRequests)) {
      await invoke(id, request(adminKey));
      await invoke(id, request(bearer), () => {
        faults.transactionConflict = true;
      });
      await invoke(id, request(bearer));
    }
  }, 60_000);

  afterAll(async () => {
    await standIn.stop();
    managementApi?.close();
    ddb.restore();
    vi.unstubAllEnvs();
    rmSync(directory, { recursive: true, force: true });
  });

  it('ran every function through its paths without a server error', () => {
    for (const secured of securedFunctions) {
      const seen = statuses.get(secured.id) ?? [];
      expect(seen.length, secured.id).toBeGreaterThan(0);
      for (const status of seen) expect(status, secured.id).toBeLessThan(500);
    }
    // The paths that matter answered as they should: logins, refreshes and each admin route.
    expect(statuses.get('login')).toEqual([401, 200]);
    expect(statuses.get('refresh-token')).toEqual([200, 401]);
    expect(statuses.get('list-api-keys')).toEqual([200, 200, 200]);
    // Logout needs an access token: with the API key it refuses (after rate limiting), with tokens it works.
    expect(statuses.get('logout')).toEqual([401, 204, 204]);
    expect(statuses.get(firstAdminFunction.id)).toEqual([409, 200]);
    // Triage answered fresh three times, then served its last good answer while the model failed.
    expect(statuses.get('summarize-errors')).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('ran the realtime gateway through its paths: connects, messages, a disconnect and revocations', () => {
    const statusesOf = (id: string) =>
      gatewayCalls
        .filter((call) => call.id === id)
        .map((call) => (call.result as { statusCode?: number })?.statusCode);
    // Two fresh tokens connect; the same token again is refused (single use).
    expect(statusesOf('realtime-connect')).toEqual([200, 200, 401, 200]);
    const frames = gatewayCalls
      .filter((call) => call.id === 'realtime-message')
      .map((call) => JSON.parse(String((call.result as { body: string }).body)) as { type: string });
    expect(frames.map((frame) => frame.type)).toEqual([
      'subscribed',
      'subscribed',
      'unsubscribed',
      'subscribed',
      'subscribed',
      'subscribed',
    ]);
    expect(statuses.get('publish-datasource-event')?.[0]).toBe(202);
  });

  it.each(realtimeGateway.map((fn) => [fn.id, fn] as const))(
    'gateway function %s makes only calls its grants allow and uses every grant',
    (id, fn) => {
      const made = accesses.get(id) ?? [];
      expect(made.length).toBeGreaterThan(0);
      expect(made.filter((request) => !isAllowed(fn, request))).toEqual([]);
      const unused: string[] = [];
      for (const [table, grants] of Object.entries(fn.tables) as [TableId, readonly TableGrant[]][]) {
        for (const grant of grants) {
          for (const action of grant.actions) {
            for (const pattern of leadingKeysOf(grant) ?? [undefined]) {
              const used = made.some(
                (request) =>
                  request.table === table &&
                  request.action === action &&
                  (pattern === undefined || stringLike(pattern, request.partitionKey ?? '')),
              );
              if (!used) unused.push(`${table} ${action} ${pattern ?? '(any key)'}`);
            }
          }
        }
      }
      expect(unused).toEqual([]);
    },
  );

  it.each(checkedFunctions.map((secured) => [secured.id, secured] as const))(
    '%s makes only calls its grants allow',
    (id, secured) => {
      const denied = (accesses.get(id) ?? []).filter((request) => !isAllowed(secured, request));
      expect(denied).toEqual([]);
    },
  );

  it.each(checkedFunctions.map((secured) => [secured.id, secured] as const))(
    '%s uses every grant it has (no broader than its code)',
    (id, secured) => {
      const made = accesses.get(id) ?? [];
      const unused: string[] = [];
      for (const [table, grants] of Object.entries(secured.tables) as [TableId, readonly TableGrant[]][]) {
        for (const grant of grants) {
          for (const action of grant.actions) {
            for (const pattern of leadingKeysOf(grant) ?? [undefined]) {
              const used = made.some(
                (request) =>
                  request.table === table &&
                  request.action === action &&
                  (pattern === undefined || stringLike(pattern, request.partitionKey ?? '')),
              );
              if (!used) unused.push(`${table} ${action} ${pattern ?? '(any key)'}`);
            }
          }
        }
      }
      expect(unused).toEqual([]);
    },
  );

  it('judges leading keys as IAM does: a key outside the patterns, or none, is denied', () => {
    const grant: TableGrant = { actions: ['UpdateItem'], leadingKeys: ['rl#*'] };
    expect(
      grantAllows(grant, { table: 'rateLimits', action: 'UpdateItem', partitionKey: 'rl#health#ip' }),
    ).toBe(true);
    expect(
      grantAllows(grant, { table: 'rateLimits', action: 'UpdateItem', partitionKey: 'login#ip#1' }),
    ).toBe(false);
    expect(grantAllows(grant, { table: 'rateLimits', action: 'UpdateItem', partitionKey: 'xrl#1' })).toBe(
      false,
    );
    expect(grantAllows(grant, { table: 'rateLimits', action: 'GetItem', partitionKey: 'rl#a' })).toBe(false);
    expect(grantAllows(grant, { table: 'rateLimits', action: 'UpdateItem', partitionKey: undefined })).toBe(
      false,
    );
  });
});
