import type { TestProject } from 'vitest/node';
import { FAST_START_JAVA_TOOL_OPTIONS, startDynamoDbLocal } from '../../shared/local/dynamodb-local.js';

// The JVM of DynamoDB Local starts faster with these; an operator's own setting wins.
process.env.JAVA_TOOL_OPTIONS ??= FAST_START_JAVA_TOOL_OPTIONS;

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

/** One DynamoDB Local for the whole run; every test creates its own uniquely named tables. */
export default async function setup(project: TestProject) {
  const dynamoDb = await startDynamoDbLocal();
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  return async () => {
    await dynamoDb.stop();
  };
}
