/**
 * One received batch in the worker: convert, run through the handler while the
 * heartbeat keeps it invisible, then delete the successes in one call; a success stays
 * invisible until that delete returns.
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { SluiceError, toError } from '../../lambda/runtime/index.ts';
import type { SluiceLogger } from '../../lambda/runtime/index.ts';
import { deleteMessages, toSqsRecord } from '../sqs/index.ts';
import type { BatchRunResult, WorkerHandler } from './handler-module.ts';
import type { VisibilityHeartbeat } from './visibility-heartbeat.ts';
import type { WorkerMeters } from './metrics.ts';
import type { QueueInfo } from '../sqs/index.ts';

/** Counts the worker keeps across batches. */
export interface WorkerCounts {
  received: number;
  succeeded: number;
  failed: number;
  deleteFailures: number;
  /** Visibility timeouts renewed for long work. */
  visibilityExtensions: number;
}

/** What a batch needs from its worker. */
export interface BatchEnvironment {
  readonly client: SQSClient;
  readonly queueUrl: string;
  readonly queue: QueueInfo;
  readonly handler: WorkerHandler;
  readonly heartbeat: VisibilityHeartbeat;
  readonly metrics: WorkerMeters;
  readonly logger: SluiceLogger;
  readonly counts: WorkerCounts;
  /** True once the worker gave up on in-flight work: results are then dropped, nothing deleted. */
  readonly abandoned: () => boolean;
}

/**
 * Processes one batch. Never rejects: a handler that throws fails the whole batch
 * (nothing deleted), as a thrown Lambda invocation would. Calls `onHandled` when the
 * handler is done and only the delete is left.
 *
 * Every message is renewed while the worker holds it: a record whose `handle` threw is
 * dropped at once (it is retried after its timeout), the other failures once the batch
 * is done, and the successes only after their `DeleteMessageBatch` returned, however long
 * a slower sibling runs. Waiting costs no calls: the batch's messages are due for renewal
 * together, so they share the renewals the slow one needs anyway, and the batch keeps its
 * one delete.
 *
 * @param receiveStartedAt - epoch ms at which the receive that returned `messages` was sent
 */
export async function runWorkerBatch(
  env: BatchEnvironment,
  messages: readonly Message[],
  onHandled?: () => void,
  receiveStartedAt?: number,
): Promise<void> {
  const records = messages.map((m) => toSqsRecord(m, env.queue.queueArn, env.queue.region));
  const n = records.length;
  env.counts.received += n;
  env.metrics.received.inc(n);
  env.metrics.inFlight.inc(n);
  const tracked = env.heartbeat.track(records, receiveStartedAt);
  try {
    let result: BatchRunResult;
    try {
      result = await env.handler.run(records, {
        onSettled: (id, failed) => {
          if (failed === true) tracked.drop(id);
        },
      });
    } catch (thrown) {
      const error = toError(thrown);
      env.logger.error('Handler rejected the whole batch; every message will be retried', {
        records: n,
        error: error.name,
        code: error instanceof SluiceError ? error.code : undefined,
      });
      result = { failedIds: new Set(records.map((r) => r.messageId)), outcomes: [] };
    }
    if (env.abandoned()) return;
    for (const id of result.failedIds) tracked.drop(id);
    for (const outcome of result.outcomes) {
      if (outcome.status === 'succeeded' || outcome.status === 'failed') {
        env.metrics.handlerDuration.observe(outcome.durationMs / 1000);
      }
    }
    const succeeded = records.filter((r) => !result.failedIds.has(r.messageId));
    const failed = n - succeeded.length;
    env.counts.succeeded += succeeded.length;
    env.counts.failed += failed;
    env.metrics.succeeded.inc(succeeded.length);
    env.metrics.failed.inc(failed);
    if (succeeded.length === 0) return;
    onHandled?.();
    // Let the receive that the freed slots woke go out first: it starts the next batch's work,
    // while this delete only ends a hold (the messages stay invisible until it returns).
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (env.abandoned()) return;
    const deletion = await deleteMessages(env.client, env.queueUrl, succeeded, env.logger);
    if (deletion.failed.length > 0) {
      env.counts.deleteFailures += deletion.failed.length;
      env.metrics.deleteErrors.inc(deletion.failed.length);
    }
  } finally {
    tracked.release();
    env.metrics.inFlight.dec(n);
  }
}
