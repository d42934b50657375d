/**
 * The context object a local execution environment passes to the handler, shaped like
 * the one of Lambda's Node.js 24 runtime (aws-lambda-nodejs-runtime-interface-client v4,
 * `context/context-builder.ts`): the function and request fields, `clientContext` and
 * `identity` (undefined for SQS), and `getRemainingTimeInMillis()`, which is the deadline
 * minus now and goes negative past the deadline. The callback-era members (`done`,
 * `succeed`, `fail`, `callbackWaitsForEmptyEventLoop`) do not exist in that runtime, so
 * they are absent here too.
 *
 * Imports nothing: the environment thread loads it.
 */

/** The per-invocation fields the invoker sends to the environment. */
export interface InvokeContextFields {
  readonly functionName: string;
  readonly functionVersion: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly awsRequestId: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** Epoch milliseconds at which the invocation times out. */
  readonly deadlineMs: number;
}

/** What the handler receives as its second argument. */
export interface LocalLambdaContext extends Omit<InvokeContextFields, 'deadlineMs'> {
  readonly clientContext: undefined;
  readonly identity: undefined;
  /** Milliseconds until the deadline; negative once it has passed (as in Lambda). */
  getRemainingTimeInMillis(): number;
}

/**
 * Builds the handler's context for one invocation.
 *
 * @param fields - what the invoker sent; `deadlineMs` is fixed when the invocation starts (after init).
 * @param now - the clock. @default Date.now
 */
export function createLambdaContext(fields: InvokeContextFields, now: () => number = Date.now): LocalLambdaContext {
  const { deadlineMs, ...rest } = fields;
  return {
    ...rest,
    clientContext: undefined,
    identity: undefined,
    getRemainingTimeInMillis: (): number => deadlineMs - now(),
  };
}
