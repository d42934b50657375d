/**
 * The SQS calls every consumer makes (the worker, the event source mapping emulator and
 * redrive): long-poll receives with every attribute, and deletes and visibility changes
 * in batches of ten.
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { DeleteMessageBatchRequestEntry, Message, SQSClient } from '@aws-sdk/client-sqs';
import { toError } from '../../lambda/runtime/index.ts';
import type { SluiceLogger } from '../../lambda/runtime/index.ts';

/** Largest number of entries in one SQS batch call (and of messages in one receive). */
export const MAX_BATCH_ENTRIES = 10;

/** Splits `items` into consecutive groups of at most {@link MAX_BATCH_ENTRIES}. */
export function inBatchesOfTen<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += MAX_BATCH_ENTRIES) out.push(items.slice(i, i + MAX_BATCH_ENTRIES));
  return out;
}

/** Settings of a receive. */
export interface ReceiveSettings {
  readonly queueUrl: string;
  readonly waitTimeSeconds: number;
  /** Overrides the queue's visibility timeout for the received messages. */
  readonly visibilityTimeoutSeconds?: number | undefined;
}

/**
 * One long-poll `ReceiveMessage` of up to `max` (clamped to 1..10) messages, asking for
 * every system and message attribute.
 */
export async function receiveMessages(client: SQSClient, settings: ReceiveSettings, max: number, signal?: AbortSignal): Promise<Message[]> {
  const result = await client.send(new ReceiveMessageCommand({
    QueueUrl: settings.queueUrl,
    MaxNumberOfMessages: Math.max(1, Math.min(MAX_BATCH_ENTRIES, max)),
    WaitTimeSeconds: settings.waitTimeSeconds,
    AttributeNames: ['All'],
    MessageSystemAttributeNames: ['All'],
    MessageAttributeNames: ['All'],
    ...(settings.visibilityTimeoutSeconds !== undefined ? { VisibilityTimeout: settings.visibilityTimeoutSeconds } : {}),
  }), signal ? { abortSignal: signal } : {});
  return result.Messages ?? [];
}

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

const silent: Pick<SluiceLogger, 'warn' | 'error'> = { warn() {}, error() {} };

/**
 * Deletes the targets, ten per `DeleteMessageBatch` call. Entries the call reports
 * failed, or every entry when the call itself fails, are retried once; what still fails
 * is logged (ids and codes only) and returned.
 */
export async function deleteMessages(
  client: SQSClient,
  queueUrl: string,
  targets: readonly DeleteTarget[],
  logger: Pick<SluiceLogger, 'warn' | 'error'> = silent,
): Promise<DeleteResult> {
  let deleted = 0;
  const failed: string[] = [];
  for (const chunk of inBatchesOfTen(targets)) {
    const entries = chunk.map((t, j): DeleteMessageBatchRequestEntry => ({ Id: `m${j}`, ReceiptHandle: t.receiptHandle }));
    let pending = await deleteAttempt(client, queueUrl, entries, logger, false);
    if (pending.length > 0) pending = await deleteAttempt(client, queueUrl, pending, logger, true);
    deleted += chunk.length - pending.length;
    for (const entry of pending) failed.push(chunk[Number(entry.Id!.slice(1))]!.messageId);
  }
  return { deleted, failed };
}

async function deleteAttempt(
  client: SQSClient,
  queueUrl: string,
  entries: DeleteMessageBatchRequestEntry[],
  logger: Pick<SluiceLogger, 'warn' | 'error'>,
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
    logger[level]('DeleteMessageBatch call failed', { entries: entries.length, error: toError(thrown).name, retrying: !isRetry });
    return entries;
  }
}

/** One entry of a visibility change. */
export interface VisibilityChange {
  readonly receiptHandle: string;
  readonly visibilityTimeoutSeconds: number;
}

/** The result of one entry of {@link changeVisibility}, in input order. */
export type VisibilityChangeResult =
  | { readonly ok: true }
  | { readonly ok: false; /** SQS's error code, e.g. `ReceiptHandleIsInvalid`, or the thrown error's name when the call failed. */ readonly code: string; readonly callFailed: boolean };

/**
 * `ChangeMessageVisibilityBatch`, ten entries per call; never throws. Resolves to one
 * result per entry, in input order.
 */
export async function changeVisibility(client: SQSClient, queueUrl: string, changes: readonly VisibilityChange[]): Promise<VisibilityChangeResult[]> {
  const results: VisibilityChangeResult[] = [];
  for (const chunk of inBatchesOfTen(changes)) {
    try {
      const result = await client.send(new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((c, j) => ({ Id: `v${j}`, ReceiptHandle: c.receiptHandle, VisibilityTimeout: c.visibilityTimeoutSeconds })),
      }));
      const failed = new Map((result.Failed ?? []).map((f) => [f.Id, f.Code ?? 'Unknown']));
      chunk.forEach((_, j) => {
        const code = failed.get(`v${j}`);
        results.push(code === undefined ? { ok: true } : { ok: false, code, callFailed: false });
      });
    } catch (thrown) {
      const code = toError(thrown).name;
      for (let j = 0; j < chunk.length; j++) results.push({ ok: false, code, callFailed: true });
    }
  }
  return results;
}

/**
 * Makes messages visible again at once (visibility timeout 0), e.g. ones received while
 * stopping, ten per call.
 *
 * @returns the first error code when any entry or call failed, else `undefined`
 */
export async function releaseMessages(client: SQSClient, queueUrl: string, receiptHandles: readonly string[]): Promise<string | undefined> {
  const results = await changeVisibility(client, queueUrl, receiptHandles.map((receiptHandle) => ({ receiptHandle, visibilityTimeoutSeconds: 0 })));
  const failure = results.find((r) => !r.ok);
  return failure && !failure.ok ? failure.code : undefined;
}
