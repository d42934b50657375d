/**
 * Runs one batch through a Sluice `handle` (via `processBatch`) or through a plain
 * Lambda SQS handler, and reports which records must not be deleted.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { processBatch } from '../../lambda/runtime/index.ts';
import { toError } from '../../lambda/runtime/errors.ts';
import type { BatchOptions, Handle, RecordOutcome, SqsEvent, SqsRecord } from '../../lambda/runtime/types.ts';
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
    try {
      return await handle(message, ctx);
    } finally {
      hooks.onSettled(ctx.messageId);
    }
  };
  const result = await processBatch(records, tracked, options);
  return {
    failedIds: new Set(result.batchItemFailures.map((f) => f.itemIdentifier)),
    outcomes: result.outcomes,
  };
}

/**
 * Invokes a Lambda handler with `{ Records }` and reads its response as Lambda does
 * (DESIGN §3): no response or no/empty `batchItemFailures` = all succeeded; a throw, a
 * malformed response or an unknown or empty `itemIdentifier` = the whole batch failed.
 */
export async function runLambdaHandler(records: SqsRecord[], handler: LambdaSqsHandler): Promise<BatchRunResult> {
  const start = performance.now();
  const context: WorkerInvokeContext = {
    functionName: 'sluice-worker',
    awsRequestId: randomUUID(),
    callbackWaitsForEmptyEventLoop: false,
  };
  let failed: Set<string>;
  let error: Error | undefined;
  try {
    failed = failedIdsOf(await handler({ Records: records }, context), records);
  } catch (thrown) {
    error = toError(thrown);
    failed = new Set(records.map((r) => r.messageId));
  }
  const durationMs = performance.now() - start;
  const outcomes = records.map((r): RecordOutcome => {
    if (!failed.has(r.messageId)) return { messageId: r.messageId, status: 'succeeded', durationMs };
    return { messageId: r.messageId, status: 'failed', durationMs, ...(error ? { error } : {}) };
  });
  return { failedIds: failed, outcomes };
}

/** Reads a partial batch response; throws (whole batch failed) when it is malformed. */
function failedIdsOf(response: unknown, records: SqsRecord[]): Set<string> {
  if (response === null || response === undefined) return new Set();
  if (typeof response !== 'object') throw new TypeError('Handler response is not an object');
  const failures: unknown = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === null || failures === undefined) return new Set();
  if (!Array.isArray(failures)) throw new TypeError('batchItemFailures is not an array');
  const ids = new Set(records.map((r) => r.messageId));
  const failed = new Set<string>();
  for (const failure of failures) {
    const id: unknown = typeof failure === 'object' && failure !== null ? (failure as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || !ids.has(id)) {
      throw new TypeError('batchItemFailures has an itemIdentifier that is not a messageId of the batch');
    }
    failed.add(id);
  }
  return failed;
}
