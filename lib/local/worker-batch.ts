/**
 * One received batch in the worker: convert, run through the handler while the
 * heartbeat keeps it invisible, then delete the successes in one call.
 */
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { SluiceError, toError } from '../../lambda/runtime/errors.ts';
import type { SluiceLogger } from '../../lambda/runtime/types.ts';
import { deleteMessages } from './delete-batch.ts';
import type { BatchRunResult, WorkerHandler } from './handler-module.ts';
import { toSqsRecord } from './sqs-record.ts';
import type { VisibilityHeartbeat } from './visibility-heartbeat.ts';
import type { WorkerMetrics } from './worker-metrics.ts';
import type { QueueInfo } from './worker-queue.ts';

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
  readonly metrics: WorkerMetrics;
  readonly logger: SluiceLogger;
  readonly counts: WorkerCounts;
  /** True once the worker gave up on in-flight work: results are then dropped, nothing deleted. */
  readonly abandoned: () => boolean;
}

/**
 * Processes one batch. Never rejects: a handler that throws fails the whole batch
 * (nothing deleted), as a thrown Lambda invocation would. Calls `onHandled` when the
 * handler is done and only the delete is left.
 */
export async function runWorkerBatch(env: BatchEnvironment, messages: readonly Message[], onHandled?: () => void): Promise<void> {
  const records = messages.map((m) => toSqsRecord(m, env.queue.queueArn, env.queue.region));
  const n = records.length;
  env.counts.received += n;
  env.metrics.received.inc(n);
  env.metrics.inFlight.inc(n);
  const tracked = env.heartbeat.track(records);
  try {
    let result: BatchRunResult;
    try {
      result = await env.handler.run(records, { onSettled: (id) => tracked.settle(id) });
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
