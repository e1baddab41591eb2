import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { type TableId, tableDefinitions } from '../resources/table-definitions.js';

/**
 * Creates every table of `tableDefinitions` (the list the CDK data stack also reads) with the given
 * name prefix, with its sort key and stream when it has them. Existing tables are kept, so a persistent
 * local database survives restarts (a table kept from before its stream existed gets the stream).
 */
export const createTables = async (
  client: DynamoDBClient,
  prefix: string,
): Promise<Record<TableId, string>> => {
  const names = {} as Record<TableId, string>;
  for (const definition of Object.values(tableDefinitions)) {
    const tableName = `${prefix}${definition.id}`;
    names[definition.id] = tableName;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: definition.partitionKey.name, AttributeType: definition.partitionKey.type },
            ...(definition.sortKey === undefined
              ? []
              : [{ AttributeName: definition.sortKey.name, AttributeType: definition.sortKey.type }]),
          ],
          KeySchema: [
            { AttributeName: definition.partitionKey.name, KeyType: 'HASH' },
            ...(definition.sortKey === undefined
              ? []
              : [{ AttributeName: definition.sortKey.name, KeyType: 'RANGE' as const }]),
          ],
          ...(definition.stream === undefined
            ? {}
            : { StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream } }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
      if (definition.stream !== undefined) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
        if (Table?.StreamSpecification?.StreamEnabled !== true) {
          await client.send(
            new UpdateTableCommand({
              TableName: tableName,
              StreamSpecification: { StreamEnabled: true, StreamViewType: definition.stream },
            }),
          );
        }
      }
      continue;
    }
    await waitUntilTableExists(
      { client, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { TableName: tableName },
    );
    if (definition.timeToLiveAttribute !== undefined) {
      await client.send(
        new UpdateTimeToLiveCommand({
          TableName: tableName,
          TimeToLiveSpecification: { AttributeName: definition.timeToLiveAttribute, Enabled: true },
        }),
      );
    }
  }
  return names;
};
