/**
 * The operator commands of the auth runbook, run as written against DynamoDB Local tables made from the
 * shared table definitions: each `aws dynamodb` command becomes the SDK command with the same input, and
 * the real adapters then read the result. A runbook command with a wrong key format, attribute name or
 * expression fails here, not during an incident.
 */
import { execFileSync } from 'node:child_process';
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import bcrypt from 'bcryptjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbSessionStore } from '../../shared/adapters/dynamodb/dynamodb-session-store.js';
import { dynamoDbUsersRepository } from '../../shared/adapters/dynamodb/dynamodb-users-repository.js';
import { assertStrongSecret } from '../../shared/auth/assert-strong-secret.js';
import {
  createRefreshSessions,
  type RefreshSessions,
} from '../../shared/domain/sessions/refresh-sessions.js';
import type { UsersRepository } from '../../shared/domain/users/users-repository.js';
import { tableDefinitions } from '../../shared/resources/table-definitions.js';
import { createTestTables } from '../support/dynamodb-test-tables.js';
import { readDoc } from './doc-text.js';

const runbook = readDoc('docs/runbooks/auth.md').text;

/** Lines of the runbook's code blocks, with shell line continuations joined. */
const codeLines = (markdown: string): string[] =>
  [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((block) =>
    (block[1] ?? '')
      .replaceAll(/\\\n\s*/g, '')
      .split('\n')
      .map((line) => line.trim()),
  );

const dynamoDbCommands = [...new Set(codeLines(runbook).filter((line) => line.startsWith('aws dynamodb ')))];

const flagNames: Readonly<Record<string, string>> = {
  '--table-name': 'TableName',
  '--key': 'Key',
  '--item': 'Item',
  '--update-expression': 'UpdateExpression',
  '--condition-expression': 'ConditionExpression',
  '--filter-expression': 'FilterExpression',
  '--projection-expression': 'ProjectionExpression',
  '--expression-attribute-names': 'ExpressionAttributeNames',
  '--expression-attribute-values': 'ExpressionAttributeValues',
};
const jsonFlags = new Set([
  '--key',
  '--item',
  '--expression-attribute-names',
  '--expression-attribute-values',
]);
/** Flags that shape the CLI's output only. */
const outputFlags = new Set(['--query', '--output']);

/** The SDK input of a CLI command line, placeholders `<name>` replaced from `values`. */
const inputOf = (line: string, values: Readonly<Record<string, string>>) => {
  const filled = line.replaceAll(/<([^<>]+)>/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for the placeholder <${name}> in: ${line}`);
    return value;
  });
  const [, , operation, ...args] = [...filled.matchAll(/'([^']*)'|(\S+)/g)].map(
    (match) => match[1] ?? match[2],
  );
  const input: Record<string, unknown> = {};
  for (let index = 0; index < args.length; index += 2) {
    const flag = args[index] ?? '';
    const value = args[index + 1] ?? '';
    if (outputFlags.has(flag)) continue;
    const name = flagNames[flag];
    if (name === undefined) throw new Error(`unknown flag ${flag} in: ${line}`);
    input[name] = jsonFlags.has(flag) ? JSON.parse(value) : value;
  }
  return { operation, input };
};

describe('the auth runbook operator commands', () => {
  let client: DynamoDBClient;
  let tables: Record<string, string>;
  let users: UsersRepository;
  let sessions: RefreshSessions;
  const used = new Set<string>();

  /** Runs the runbook's one command that contains every `parts` string. */
  const run = async (parts: readonly string[], values: Readonly<Record<string, string>>) => {
    const matching = dynamoDbCommands.filter((line) => parts.every((part) => line.includes(part)));
    expect(matching, parts.join(' + ')).toHaveLength(1);
    const line = matching[0] ?? '';
    used.add(line);
    const nowMs = Date.now();
    const { operation, input } = inputOf(line, {
      USERS_TABLE_NAME: tables.users ?? '',
      SESSIONS_TABLE_NAME: tables.sessions ?? '',
      'now, epoch ms': String(nowMs),
      'now + 2 hours, epoch seconds': String(Math.floor(nowMs / 1000) + 7200),
      ...values,
    });
    switch (operation) {
      case 'put-item':
        return client.send(new PutItemCommand(input as never));
      case 'update-item':
        return client.send(new UpdateItemCommand(input as never));
      case 'delete-item':
        return client.send(new DeleteItemCommand(input as never));
      case 'get-item':
        return client.send(new GetItemCommand(input as never));
      case 'scan':
        return client.send(new ScanCommand(input as never));
      default:
        throw new Error(`unknown operation ${operation}`);
    }
  };

  const user = async (username: string, roles: ('user' | 'admin')[]) => {
    await users.create({
      id: `id-${username}`,
      username,
      email: undefined,
      roles,
      passwordHash: await bcrypt.hash('an old password', 4),
      createdAt: new Date().toISOString(),
    });
  };

  beforeAll(async () => {
    ({ client, tables } = await createTestTables());
    users = dynamoDbUsersRepository(client, tables.users ?? '');
    sessions = createRefreshSessions({
      store: dynamoDbSessionStore(client, tables.sessions ?? ''),
      clock: { nowMs: () => Date.now() },
      settings: { absoluteLifetimeSeconds: 3600, reuseGraceSeconds: 0, accessTokenLifetimeSeconds: 600 },
    });
  });

  it('the runbook has operator commands, keyed by the tables’ partition keys', () => {
    expect(dynamoDbCommands.length).toBeGreaterThanOrEqual(6);
    for (const line of dynamoDbCommands) {
      const table = /--table-name <(\w+)>/.exec(line)?.[1];
      const definition = Object.values(tableDefinitions).find(
        (candidate) => candidate.environmentVariable === table,
      );
      expect(definition, line).toBeDefined();
      const key = /--(?:key|item) '(\{.*?\}\})/.exec(line)?.[1];
      if (key !== undefined)
        expect(Object.keys(JSON.parse(key)), line).toContain(definition?.partitionKey.name);
    }
  });

  it("change a user's roles, revoke every session, change the password and remove the user", async () => {
    await user('alice', ['user', 'admin']);
    await user('bob', ['user']);
    const principal = { userId: 'id-alice', username: 'alice', roles: ['user', 'admin'] };
    const aliceSessions = [await sessions.start(principal), await sessions.start(principal)];
    const bobSession = await sessions.start({ userId: 'id-bob', username: 'bob', roles: ['user'] });

    await run(['update-item', '<USERS_TABLE_NAME>', '#roles'], { username: 'alice' });
    expect((await users.get('alice'))?.roles).toEqual(['user']);

    const scanned = (await run(['scan', '<SESSIONS_TABLE_NAME>'], { username: 'alice' })) as {
      Items?: Record<string, AttributeValue>[];
    };
    const families = (scanned.Items ?? []).map((item) => ({
      familyId: (item.pk?.S ?? '').replace(/^family#/, ''),
      sid: item.sessionId?.S ?? '',
    }));
    expect(families.map(({ sid }) => sid).sort()).toEqual(aliceSessions.map((s) => s.sessionId).sort());
    for (const family of families) {
      await run(['update-item', '<SESSIONS_TABLE_NAME>', 'family#<familyId>'], family);
      await run(['put-item', '<SESSIONS_TABLE_NAME>', 'revoked#<sid>'], family);
    }
    for (const session of aliceSessions) {
      expect(await sessions.isSessionRevoked(session.sessionId)).toBe(true);
      expect((await sessions.rotate(session.refreshToken)).outcome).toBe('invalid');
    }
    expect(await sessions.isSessionRevoked(bobSession.sessionId)).toBe(false);
    expect((await sessions.rotate(bobSession.refreshToken)).outcome).toBe('rotated');

    const hashLine = codeLines(runbook).find((line) => line.includes('bcryptjs')) ?? '';
    const hashScript = /node -e "([^"]+)"/.exec(hashLine)?.[1] ?? '';
    const hash = execFileSync(process.execPath, ['-e', hashScript], { input: 'a new long password' })
      .toString()
      .trim();
    expect(await bcrypt.compare('a new long password', hash)).toBe(true);
    await run(['update-item', '<USERS_TABLE_NAME>', '#hash'], { username: 'alice', 'bcrypt hash': hash });
    expect((await users.get('alice'))?.passwordHash).toBe(hash);

    await run(['delete-item', '<USERS_TABLE_NAME>'], { username: 'alice' });
    expect(await users.get('alice')).toBeUndefined();
    expect((await users.get('bob'))?.roles).toEqual(['user']);

    expect(dynamoDbCommands.filter((line) => !used.has(line))).toEqual([]);
  });

  it('the new pepper passes the production check', () => {
    const pepperLine = codeLines(runbook).find((line) => line.includes('randomBytes')) ?? '';
    const script = /node -e "([^"]+)"/.exec(pepperLine)?.[1] ?? '';
    const { pepper } = JSON.parse(execFileSync(process.execPath, ['-e', script]).toString()) as {
      pepper: string;
    };
    expect(pepper).toHaveLength(48);
    expect(() => assertStrongSecret('API_KEY_PEPPER_SECRET_ARN', pepper)).not.toThrow();
  });
});
