import {
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { type TableId, tableDefinitions } from '../resources/table-definitions.js';

/**
 * Creates every table of `tableDefinitions` (the list the CDK data stack also reads) with the given
 * name prefix. Existing tables are kept, so a persistent local database survives restarts.
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
          ],
          KeySchema: [{ AttributeName: definition.partitionKey.name, KeyType: 'HASH' }],
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
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
