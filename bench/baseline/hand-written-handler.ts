/**
 * The bench's hand-written baseline: one protected JSON route (`PATCH /profile`) written the plain way,
 * as a competent team would without Bulwark, with the libraries Bulwark's functions use. `npm run bench`
 * bundles it exactly as the functions are bundled and times its cold start next to theirs, so
 * "Bulwark's init is 0.9x a hand-written handler's" is measured, not guessed (docs/benchmarks.md).
 *
 * What it does at cold start, all at module scope: read its settings, create the Powertools logger and
 * the DynamoDB and Secrets Manager clients, fetch the public JWT keys (a JWKS document) from Secrets
 * Manager with top-level await (as Bulwark's functions load their secrets at init), and build the middy
 * chain. Per request: verify the Bearer token with jose, parse and validate the JSON body with zod, one
 * UpdateItem, a JSON answer with CORS and security headers. A password change (bcryptjs) is part of the
 * route; the bench's request changes only the display name, so it hashes nothing.
 *
 * Plain on purpose: library defaults, no rate limiting, no revocation check, no API keys, no problem
 * documents. It is a yardstick for cold start, not a recommendation.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import httpCors from '@middy/http-cors';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import bcrypt from 'bcryptjs';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
// What zod 4's own documentation writes; `import { z } from 'zod'` bundles all of zod classic instead.
import * as z from 'zod';

const required = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
};

const tableName = required('PROFILES_TABLE_NAME');
const issuer = required('JWT_ISSUER');
const audience = required('JWT_AUDIENCE');
const allowedOrigin = required('ALLOWED_ORIGIN');
const bcryptCost = 11;

const logger = new Logger({ serviceName: 'profile' });
const dynamoDb = new DynamoDBClient({});
const secretsManager = new SecretsManagerClient({});

const keysSecret = await secretsManager.send(
  new GetSecretValueCommand({ SecretId: required('JWT_PUBLIC_KEYS_SECRET_ID') }),
);
const jwks = createLocalJWKSet(JSON.parse(keysSecret.SecretString ?? '') as JSONWebKeySet);

const profileUpdate = z
  .strictObject({
    display_name: z.string().trim().min(1).max(80).optional(),
    email: z.email().max(254).optional(),
    new_password: z.string().min(12).max(72).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'nothing to update');

const json = (statusCode: number, body: unknown): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});

const userIdOf = async (authorization: string | undefined): Promise<string | undefined> => {
  const token = /^Bearer ([\w-]+\.[\w-]+\.[\w-]+)$/.exec(authorization ?? '')?.[1];
  if (token === undefined) return undefined;
  try {
    const { payload } = await jwtVerify(token, jwks, { issuer, audience, algorithms: ['EdDSA'] });
    return payload.sub;
  } catch {
    return undefined;
  }
};

const updateProfile = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
  const userId = await userIdOf(event.headers.authorization);
  if (userId === undefined) return json(401, { message: 'Unauthorized' });
  let body: unknown;
  try {
    body = JSON.parse(event.body ?? '');
  } catch {
    return json(400, { message: 'The body must be JSON' });
  }
  const parsed = profileUpdate.safeParse(body);
  if (!parsed.success) return json(400, { message: 'Invalid body', issues: z.flattenError(parsed.error) });
  const { display_name, email, new_password } = parsed.data;

  const names: Record<string, string> = { '#updatedAt': 'updated_at' };
  const values: Record<string, { S: string }> = { ':updatedAt': { S: new Date().toISOString() } };
  const sets = ['#updatedAt = :updatedAt'];
  const set = (attribute: string, value: string) => {
    names[`#${attribute}`] = attribute;
    values[`:${attribute}`] = { S: value };
    sets.push(`#${attribute} = :${attribute}`);
  };
  if (display_name !== undefined) set('display_name', display_name);
  if (email !== undefined) set('email', email);
  if (new_password !== undefined) set('password_hash', await bcrypt.hash(new_password, bcryptCost));

  const { Attributes: item = {} } = await dynamoDb.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { user_id: { S: userId } },
      UpdateExpression: `SET ${sets.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  logger.info('profile updated', { user_id: userId, password_changed: new_password !== undefined });
  return json(200, {
    user_id: userId,
    display_name: item.display_name?.S,
    email: item.email?.S,
    updated_at: item.updated_at?.S,
  });
};

export const handler = middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
  .use(injectLambdaContext(logger))
  .use(httpHeaderNormalizer())
  .use(httpCors({ origins: [allowedOrigin], headers: 'authorization, content-type', methods: 'PATCH' }))
  .use(httpSecurityHeaders())
  .handler(async (event) => {
    try {
      return await updateProfile(event);
    } catch (error) {
      const reference = randomUUID();
      logger.error('profile update failed', { error, reference });
      return json(500, { message: 'Internal error', reference });
    }
  });
