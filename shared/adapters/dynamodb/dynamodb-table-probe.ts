import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DependencyUnavailableError } from '../../errors/request-errors.js';

/** The partition key the health check reads in every table: no item ever has it (`health#*` grants). */
export const HEALTH_PROBE_KEY = 'health#probe';

/**
 * Proves a table answers: one consistent GetItem of HEALTH_PROBE_KEY, projected to the key, on the
 * request path's client (its deadline applies). Reads nothing; any failure is DependencyUnavailableError.
 */
export const probeTable =
  (client: DynamoDBClient, tableName: string, partitionKeyName: string) => async (): Promise<void> => {
    try {
      await client.send(
        new GetItemCommand({
          TableName: tableName,
          Key: { [partitionKeyName]: { S: HEALTH_PROBE_KEY } },
          ConsistentRead: true,
          ProjectionExpression: '#k',
          ExpressionAttributeNames: { '#k': partitionKeyName },
        }),
      );
    } catch (error) {
      throw new DependencyUnavailableError('dynamodb', error);
    }
  };
