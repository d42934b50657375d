/**
 * Deletes processed messages with `DeleteMessageBatch`, retrying failed entries once.
 */
import { DeleteMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { DeleteMessageBatchRequestEntry, SQSClient } from '@aws-sdk/client-sqs';
import { toError } from '../../lambda/runtime/errors.ts';
import type { SluiceLogger } from '../../lambda/runtime/types.ts';

/** A received message to delete. */
export interface DeleteTarget {
  readonly messageId: string;
  readonly receiptHandle: string;
}

/** What a delete achieved. */
export interface DeleteResult {
  /** Messages deleted. */
  readonly deleted: number;
  /** `messageId`s still not deleted after the retry (they will be received again). */
  readonly failed: readonly string[];
}

/** Largest number of entries in one SQS batch call. */
const MAX_ENTRIES = 10;

/**
 * Deletes the targets, 10 per `DeleteMessageBatch` call (one call for a worker batch).
 *
 * Entries the call reports failed, or every entry when the call itself fails, are retried
 * once; what still fails is logged (ids and codes only) and returned.
 */
export async function deleteMessages(
  client: SQSClient,
  queueUrl: string,
  targets: readonly DeleteTarget[],
  logger: SluiceLogger,
): Promise<DeleteResult> {
  let deleted = 0;
  const failed: string[] = [];
  for (let i = 0; i < targets.length; i += MAX_ENTRIES) {
    const chunk = targets.slice(i, i + MAX_ENTRIES);
    const entries = chunk.map((t, j): DeleteMessageBatchRequestEntry => ({ Id: `m${j}`, ReceiptHandle: t.receiptHandle }));
    let pending = await attempt(client, queueUrl, entries, logger, false);
    if (pending.length > 0) pending = await attempt(client, queueUrl, pending, logger, true);
    deleted += chunk.length - pending.length;
    for (const entry of pending) failed.push(chunk[Number(entry.Id!.slice(1))]!.messageId);
  }
  return { deleted, failed };
}

/** One call; resolves to the entries that were not deleted. */
async function attempt(
  client: SQSClient,
  queueUrl: string,
  entries: DeleteMessageBatchRequestEntry[],
  logger: SluiceLogger,
  isRetry: boolean,
): Promise<DeleteMessageBatchRequestEntry[]> {
  const level = isRetry ? 'error' : 'warn';
  try {
    const result = await client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    const failedIds = new Set((result.Failed ?? []).map((f) => f.Id));
    if (failedIds.size > 0) {
      logger[level]('DeleteMessageBatch failed for some entries', {
        failed: failedIds.size,
        codes: [...new Set((result.Failed ?? []).map((f) => f.Code))],
        retrying: !isRetry,
      });
    }
    return entries.filter((e) => failedIds.has(e.Id));
  } catch (thrown) {
    const error = toError(thrown);
    logger[level]('DeleteMessageBatch call failed', { entries: entries.length, error: error.name, retrying: !isRetry });
    return entries;
  }
}
