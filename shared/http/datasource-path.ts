import type { APIGatewayProxyEvent } from 'aws-lambda';
import { isSlug } from '../domain/realtime/datasource.js';
import type { BulwarkError } from '../errors/bulwark-error.js';
import { DatasourceIdMalformedError, DatasourceNotFoundError } from '../errors/realtime-errors.js';

/**
 * The `{datasource_id}` of a datasource route, validated strictly. A route that creates the datasource
 * answers a malformed id with 400; every other route with 404, since no datasource can have it.
 */
export const datasourceIdOf = (
  event: APIGatewayProxyEvent,
  whenMalformed: 'malformed' | 'not-found',
): string => {
  const id = event.pathParameters?.datasource_id;
  if (isSlug(id)) return id;
  const error: BulwarkError =
    whenMalformed === 'malformed' ? new DatasourceIdMalformedError() : new DatasourceNotFoundError();
  throw error;
};
