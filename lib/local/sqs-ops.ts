/**
 * The SQS calls an event source poller makes: a long-polling receive with every
 * attribute, deletes in batches of ten, and releasing messages (visibility 0).
 */
import {
  ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';

/** Receives up to `max` (≤ 10) messages, waiting up to `waitSeconds` for the first. */
export async function receiveMessages(sqs: SQSClient, queueUrl: string, max: number, waitSeconds: number): Promise<Message[]> {
  const result = await sqs.send(new ReceiveMessageCommand({
    QueueUrl: queueUrl,
    MaxNumberOfMessages: Math.max(1, Math.min(10, max)),
    WaitTimeSeconds: waitSeconds,
    AttributeNames: ['All'],
    MessageSystemAttributeNames: ['All'],
    MessageAttributeNames: ['All'],
  }));
  return result.Messages ?? [];
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Deletes the given receipt handles, ten per call; resolves to the number that failed. */
export async function deleteMessages(sqs: SQSClient, queueUrl: string, receiptHandles: readonly string[]): Promise<number> {
  let failed = 0;
  for (const chunk of chunks(receiptHandles, 10)) {
    const result = await sqs.send(new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: chunk.map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle })),
    }));
    failed += result.Failed?.length ?? 0;
  }
  return failed;
}

/** Makes the given messages visible again at once (used when stopping with received, unprocessed messages). */
export async function releaseMessages(sqs: SQSClient, queueUrl: string, receiptHandles: readonly string[]): Promise<void> {
  for (const chunk of chunks(receiptHandles, 10)) {
    await sqs.send(new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: chunk.map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle, VisibilityTimeout: 0 })),
    }));
  }
}
