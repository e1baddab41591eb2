import type { APIGatewayProxyResult } from 'aws-lambda';

export const jsonResponse = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult => ({
  statusCode,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

export const emptyResponse = (
  statusCode: number,
  headers: Record<string, string> = {},
): APIGatewayProxyResult => ({
  statusCode,
  headers,
  body: '',
});
