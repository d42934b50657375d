/**
 * Runs one batch through a Sluice `handle` (via `processBatch`) or through a plain
 * Lambda SQS handler, and reports which records must not be deleted.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SluiceError, processBatch, toError } from '../../lambda/runtime/index.ts';
import type { BatchOptions, Handle, RecordOutcome, SqsEvent, SqsRecord } from '../../lambda/runtime/index.ts';
import { interpretResponse, serializeResponse } from '../sqs/index.ts';
import type { BatchHooks, BatchRunResult } from './handler-module.ts';

/** The part of a Lambda context the worker can honestly provide (no deadline). */
export interface WorkerInvokeContext {
  readonly functionName: string;
  readonly awsRequestId: string;
  readonly callbackWaitsForEmptyEventLoop: boolean;
}

/** Any Lambda handler of SQS events: `(event, context) => response`. */
export type LambdaSqsHandler = (event: SqsEvent, context: WorkerInvokeContext) => unknown;

/** Runs the batch through `processBatch`, telling the worker when each record settled. */
export async function runSluiceHandle<T>(
  records: SqsRecord[],
  handle: Handle<T>,
  options: BatchOptions<T>,
  hooks: BatchHooks,
): Promise<BatchRunResult> {
  const tracked: Handle<T> = async (message, ctx) => {
    let failed = true;
    try {
      const value = await handle(message, ctx);
      failed = false;
      return value;
    } finally {
      hooks.onSettled(ctx.messageId, failed);
    }
  };
  const result = await processBatch(records, tracked, options);
  return {
    failedIds: new Set(result.batchItemFailures.map((f) => f.itemIdentifier)),
    outcomes: result.outcomes,
  };
}

/**
 * Invokes a Lambda handler with `{ Records }` and reads its response with the same
 * partial batch response reader as the emulator (`interpretResponse` of lib/sqs): a
 * throw, or a response that is not null, an object with a valid `batchItemFailures` or
 * an object without one, fails the whole batch.
 */
export async function runLambdaHandler(records: SqsRecord[], handler: LambdaSqsHandler): Promise<BatchRunResult> {
  const start = performance.now();
  const context: WorkerInvokeContext = {
    functionName: 'sluice-worker',
    awsRequestId: randomUUID(),
    callbackWaitsForEmptyEventLoop: false,
  };
  let error: Error | undefined;
  let outcome;
  try {
    outcome = serializeResponse(await handler({ Records: records }, context));
  } catch (thrown) {
    error = toError(thrown);
    outcome = { status: 'error', errorName: error.name, errorMessage: error.message } as const;
  }
  const ids = records.map((r) => r.messageId);
  const verdict = interpretResponse(outcome, ids, true);
  const failed = new Set(verdict.kind === 'partial' ? verdict.failedIds : verdict.kind === 'batch-failed' ? ids : []);
  if (verdict.kind === 'batch-failed' && error === undefined) error = new InvalidResponseError(verdict.reason);
  const durationMs = performance.now() - start;
  const outcomes = records.map((r): RecordOutcome => {
    if (!failed.has(r.messageId)) return { messageId: r.messageId, status: 'succeeded', durationMs };
    return { messageId: r.messageId, status: 'failed', durationMs, ...(error ? { error } : {}) };
  });
  return { failedIds: failed, outcomes };
}

/** The handler's response failed the whole batch (see `interpretResponse`). */
export class InvalidResponseError extends SluiceError {
  constructor(reason: string) {
    super('INVALID_RESPONSE', `Handler response failed the whole batch: ${reason}`);
    this.name = 'InvalidResponseError';
  }
}
