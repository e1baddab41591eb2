import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { roles as knownRoles, type Role, type User } from '../../domain/users/user.js';
import type { UsersRepository } from '../../domain/users/users-repository.js';
import { DependencyUnavailableError } from '../../errors/request-errors.js';
import { UserAlreadyExistsError } from '../../errors/user-already-exists-error.js';

/** Users keyed by username; the put is conditional so two racing creates cannot both win. */
export const dynamoDbUsersRepository = (client: DynamoDBClient, tableName: string): UsersRepository => ({
  create: async (user: User) => {
    try {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: {
            username: { S: user.username },
            id: { S: user.id },
            roles: { L: user.roles.map((role) => ({ S: role })) },
            passwordHash: { S: user.passwordHash },
            createdAt: { S: user.createdAt },
            ...(user.email === undefined ? {} : { email: { S: user.email } }),
          },
          ConditionExpression: 'attribute_not_exists(#username)',
          ExpressionAttributeNames: { '#username': 'username' },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new UserAlreadyExistsError();
      throw new DependencyUnavailableError('dynamodb', error);
    }
  },
  get: async (username: string) => {
    let found: Record<string, AttributeValue> | undefined;
    try {
      const output = await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { username: { S: username } },
          ConsistentRead: true,
        }),
      );
      found = output.Item;
    } catch (error) {
      throw new DependencyUnavailableError('dynamodb', error);
    }
    if (
      found?.username?.S === undefined ||
      found.id?.S === undefined ||
      found.passwordHash?.S === undefined
    ) {
      return undefined;
    }
    const storedRoles = (found.roles?.L ?? [])
      .map((entry) => entry.S)
      .filter((role): role is Role => (knownRoles as readonly (string | undefined)[]).includes(role));
    return {
      id: found.id.S,
      username: found.username.S,
      email: found.email?.S,
      roles: storedRoles,
      passwordHash: found.passwordHash.S,
      createdAt: found.createdAt?.S ?? '',
    };
  },
});
