import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { roles as knownRoles, type Role, type User } from '../../domain/users/user.js';
import type { UserChange, UserSummary, UsersRepository } from '../../domain/users/users-repository.js';
import { DependencyUnavailableError } from '../../errors/request-errors.js';
import { UserAlreadyExistsError } from '../../errors/user-already-exists-error.js';
import { UserChangedError, UserNotFoundError } from '../../errors/user-errors.js';

type Item = Record<string, AttributeValue>;

/** Every attribute a listing may read: never `passwordHash`, never `sessionRefs`. */
const summaryAttributes = [
  'username',
  'id',
  'email',
  'roles',
  'createdAt',
  'updatedAt',
  'disabled',
  'revision',
] as const;

const rolesOf = (item: Item): Role[] =>
  (item.roles?.L ?? [])
    .map((entry) => entry.S)
    .filter((role): role is Role => (knownRoles as readonly (string | undefined)[]).includes(role));

const summaryOf = (item: Item): UserSummary | undefined => {
  const username = item.username?.S;
  const id = item.id?.S;
  if (username === undefined || id === undefined) return undefined;
  const revision = item.revision?.N === undefined ? undefined : Number(item.revision.N);
  return {
    id,
    username,
    email: item.email?.S,
    roles: rolesOf(item),
    createdAt: item.createdAt?.S ?? '',
    ...(item.updatedAt?.S === undefined ? {} : { updatedAt: item.updatedAt.S }),
    ...(item.disabled?.BOOL === undefined ? {} : { disabled: item.disabled.BOOL }),
    ...(revision === undefined || !Number.isSafeInteger(revision) ? {} : { revision }),
  };
};

const userOf = (item: Item | undefined): User | undefined => {
  if (item === undefined) return undefined;
  const summary = summaryOf(item);
  const passwordHash = item.passwordHash?.S;
  if (summary === undefined || passwordHash === undefined) return undefined;
  return { ...summary, passwordHash, sessionRefs: item.sessionRefs?.SS ?? [] };
};

/**
 * Users keyed by username. Creation is conditional so two racing creates cannot both win; every
 * administrative change is one conditional UpdateItem that increments `revision` and returns the record
 * with its session references (ALL_NEW), which login adds inside its session transaction.
 */
export const dynamoDbUsersRepository = (client: DynamoDBClient, tableName: string): UsersRepository => {
  const send = async <T>(operation: () => Promise<T>): Promise<T> => {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw error;
      throw new DependencyUnavailableError('dynamodb', error);
    }
  };

  return {
    create: async (user: User) => {
      try {
        await send(() =>
          client.send(
            new PutItemCommand({
              TableName: tableName,
              Item: {
                username: { S: user.username },
                id: { S: user.id },
                roles: { L: user.roles.map((role) => ({ S: role })) },
                passwordHash: { S: user.passwordHash },
                createdAt: { S: user.createdAt },
                revision: { N: String(user.revision ?? 0) },
                ...(user.email === undefined ? {} : { email: { S: user.email } }),
                ...(user.disabled === undefined ? {} : { disabled: { BOOL: user.disabled } }),
              },
              ConditionExpression: 'attribute_not_exists(#username)',
              ExpressionAttributeNames: { '#username': 'username' },
            }),
          ),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw new UserAlreadyExistsError();
        throw error;
      }
    },

    get: async (username: string) => {
      const output = await send(() =>
        client.send(
          new GetItemCommand({
            TableName: tableName,
            Key: { username: { S: username } },
            ConsistentRead: true,
          }),
        ),
      );
      return userOf(output.Item);
    },

    list: async () => {
      const names = Object.fromEntries(summaryAttributes.map((name) => [`#${name}`, name]));
      const users: UserSummary[] = [];
      let startKey: Item | undefined;
      do {
        const page = await send(() =>
          client.send(
            new ScanCommand({
              TableName: tableName,
              ConsistentRead: true,
              ProjectionExpression: Object.keys(names).join(', '),
              ExpressionAttributeNames: names,
              ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
            }),
          ),
        );
        for (const item of page.Items ?? []) {
          const summary = summaryOf(item);
          if (summary !== undefined) users.push(summary);
        }
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return users;
    },

    change: async (username, change: UserChange) => {
      const names: Record<string, string> = {
        '#username': 'username',
        '#revision': 'revision',
        '#updatedAt': 'updatedAt',
      };
      const values: Item = { ':one': { N: '1' }, ':updatedAt': { S: change.updatedAt } };
      const set = ['#updatedAt = :updatedAt'];
      if (change.roles !== undefined) {
        names['#roles'] = 'roles';
        values[':roles'] = { L: change.roles.map((role) => ({ S: role })) };
        set.push('#roles = :roles');
      }
      if (change.disabled !== undefined) {
        names['#disabled'] = 'disabled';
        values[':disabled'] = { BOOL: change.disabled };
        set.push('#disabled = :disabled');
      }
      if (change.passwordHash !== undefined) {
        names['#hash'] = 'passwordHash';
        values[':hash'] = { S: change.passwordHash };
        set.push('#hash = :hash');
      }
      try {
        const { Attributes } = await send(() =>
          client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { username: { S: username } },
              UpdateExpression: `SET ${set.join(', ')} ADD #revision :one`,
              ConditionExpression: 'attribute_exists(#username)',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        const user = userOf(Attributes);
        if (user === undefined) throw new UserNotFoundError();
        return user;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw new UserNotFoundError();
        throw error;
      }
    },

    forgetSessions: async (username, refs) => {
      if (refs.length === 0) return;
      try {
        await send(() =>
          client.send(
            new UpdateItemCommand({
              TableName: tableName,
              Key: { username: { S: username } },
              UpdateExpression: 'DELETE #refs :refs',
              ConditionExpression: 'attribute_exists(#username)',
              ExpressionAttributeNames: { '#refs': 'sessionRefs', '#username': 'username' },
              ExpressionAttributeValues: { ':refs': { SS: [...new Set(refs)] } },
            }),
          ),
        );
      } catch (error) {
        // Deleted meanwhile: nothing left to forget.
        if (error instanceof ConditionalCheckFailedException) return;
        throw error;
      }
    },

    delete: async (username, revision) => {
      try {
        await send(() =>
          client.send(
            new DeleteItemCommand({
              TableName: tableName,
              Key: { username: { S: username } },
              ConditionExpression: 'attribute_exists(#username) AND #revision = :revision',
              ExpressionAttributeNames: { '#username': 'username', '#revision': 'revision' },
              ExpressionAttributeValues: { ':revision': { N: String(revision) } },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          ),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw error.Item === undefined ? new UserNotFoundError() : new UserChangedError();
        }
        throw error;
      }
    },
  };
};
