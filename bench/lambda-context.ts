import type { Context } from 'aws-lambda';
import type { BulwarkContext } from '../shared/http/secure-request.js';

/**
 * A Lambda context as the runtime passes it. `getRemainingTimeInMillis` is present, as on Lambda, so
 * middy arms and clears its early-timeout timer on every invocation, which is part of the real cost.
 */
export const lambdaContext = (sequence: number): BulwarkContext => {
  const context: Context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'bulwark-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bulwark-bench',
    memoryLimitInMB: '512',
    awsRequestId: `bench-${sequence}`,
    logGroupName: '/aws/lambda/bulwark-bench',
    logStreamName: '2026/01/01/[$LATEST]bench',
    getRemainingTimeInMillis: () => 29_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  // `bulwark` is set by assignRequestId, the chain's first security middleware.
  return context as BulwarkContext;
};
