/**
 * Retry features against real SQS semantics (embedded fauxqs): backoff through
 * visibility, poison straight to the DLQ, and a failing DLQ send that loses nothing.
 */
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { DLQ_ATTRIBUTES, processBatch, retryPolicy, TransientError, ValidationError } from '../../lambda/runtime/index.ts';
import type { BatchOptions, RetryOptions, SqsRecord } from '../../lambda/runtime/index.ts';
import { toSqsRecord } from '../../lib/sqs/index.ts';
import { createQueue, useTestSqs } from '../helpers/worker-fixtures.ts';

const env = useTestSqs();

async function queue(fifo = false, visibility = 60): Promise<{ url: string; arn: string }> {
  const url = await createQueue(env.sqs, { VisibilityTimeout: String(visibility), ...(fifo ? { FifoQueue: 'true' } : {}) }, 'retry');
  const { Attributes } = await env.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
  return { url, arn: Attributes!.QueueArn! };
}

async function receive(q: { url: string; arn: string }, max = 10, wait = 0): Promise<SqsRecord[]> {
  const { Messages = [] } = await env.sqs.send(new ReceiveMessageCommand({
    QueueUrl: q.url, MaxNumberOfMessages: max, WaitTimeSeconds: wait,
    MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
  }));
  return Messages.map((m) => toSqsRecord(m, q.arn, env.server.region));
}

/** Receives until `count` messages arrived or the timeout passed. */
async function receiveUntil(q: { url: string; arn: string }, count: number, timeoutMs: number): Promise<SqsRecord[]> {
  const got: SqsRecord[] = [];
  const until = Date.now() + timeoutMs;
  while (got.length < count && Date.now() < until) got.push(...(await receive(q, 10, 1)));
  return got;
}

/** What Lambda does with a partial batch response: delete everything not reported. */
async function deleteSucceeded(q: { url: string }, records: SqsRecord[], failures: { itemIdentifier: string }[]): Promise<void> {
  const failed = new Set(failures.map((f) => f.itemIdentifier));
  const entries = records.filter((r) => !failed.has(r.messageId)).map((r, i) => ({ Id: `d${i}`, ReceiptHandle: r.receiptHandle }));
  if (entries.length > 0) await env.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: q.url, Entries: entries }));
}

function options(extra: RetryOptions): BatchOptions {
  return { logger: false, retry: retryPolicy({ endpoint: env.server.endpoint, ...extra }) };
}

describe('backoff through visibility', () => {
  it('delays a transient failure by the computed visibility instead of the queue timeout, then it succeeds', async () => {
    const q = await queue(false, 300);
    await env.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: '{"n":1}' }));
    const [record] = await receiveUntil(q, 1, 5000);
    let calls = 0;
    const handle = async (): Promise<void> => {
      if (++calls === 1) throw new TransientError('identity API answered 503');
    };
    const opts = options({ backoff: { baseSeconds: 1, maxSeconds: 1, jitter: 'none' } });
    const first = await processBatch([record!], handle, opts);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: record!.messageId }]);
    expect(first.outcomes[0]).toMatchObject({ status: 'failed', disposition: 'delayed', visibilityTimeoutSeconds: 1 });
    expect(first.stats.delayed).toBe(1);
    // Back after ~1 s although the queue's visibility timeout is 300 s.
    const [again] = await receiveUntil(q, 1, 10_000);
    expect(again?.messageId).toBe(record!.messageId);
    expect(again!.attributes.ApproximateReceiveCount).toBe('2');
    const second = await processBatch([again!], handle, opts);
    expect(second.batchItemFailures).toEqual([]);
    await deleteSucceeded(q, [again!], second.batchItemFailures);
    expect(await receive(q, 10, 0)).toEqual([]);
  });

  it('honours retryAfterSeconds from a TransientError', async () => {
    const q = await queue(false, 300);
    await env.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: '{}' }));
    const records = await receiveUntil(q, 1, 5000);
    const result = await processBatch(records, async () => {
      throw new TransientError('throttled', { retryAfterSeconds: 2 });
    }, options({ backoff: { baseSeconds: 100, maxSeconds: 200 } }));
    expect(result.outcomes[0]!.visibilityTimeoutSeconds).toBe(2);
  });

  it('still reports the record failed when the visibility change fails', async () => {
    const q = await queue(false, 1);
    await env.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: '{}' }));
    const [record] = await receiveUntil(q, 1, 5000);
    const broken = { ...record!, receiptHandle: 'not-a-receipt-handle' };
    const result = await processBatch([broken], async () => {
      throw new Error('boom');
    }, options({ backoff: { baseSeconds: 1, maxSeconds: 1 } }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: record!.messageId }]);
    expect(result.outcomes[0]!.disposition).toBeUndefined();
    expect(await receiveUntil(q, 1, 10_000)).toHaveLength(1);
  });
});

describe('poison straight to the DLQ', () => {
  it('moves a permanent failure to the DLQ on its first attempt with the error attributes, body and attributes intact', async () => {
    const q = await queue();
    const dlq = await queue();
    // Non-ASCII within the BMP: fauxqs 2.4.1 rejects astral characters (emoji) that SQS accepts.
    const body = '{"userId": 42, "note": "naïve ✓"}';
    await env.sqs.send(new SendMessageCommand({
      QueueUrl: q.url, MessageBody: body,
      MessageAttributes: {
        eventType: { DataType: 'String', StringValue: 'UserRegistered' },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 255, 1]) },
      },
    }));
    await env.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: '{"ok":true}' }));
    const records = await receiveUntil(q, 2, 5000);
    const result = await processBatch(records, async (m) => {
      if ((m as { ok?: boolean }).ok !== true) throw new ValidationError('userId must be a string');
    }, options({ deadLetter: dlq.url }));
    expect(result.batchItemFailures).toEqual([]);
    const poison = result.outcomes.find((o) => o.disposition === 'dead-lettered');
    expect(poison).toMatchObject({ status: 'failed' });
    expect(result.stats.deadLettered).toBe(1);
    await deleteSucceeded(q, records, result.batchItemFailures);

    const [dead] = await receiveUntil(dlq, 1, 5000);
    expect(dead!.body).toBe(body);
    expect(dead!.messageAttributes.eventType!.stringValue).toBe('UserRegistered');
    expect(Buffer.from(dead!.messageAttributes.blob!.binaryValue!, 'base64')).toEqual(Buffer.from([0, 255, 1]));
    expect(dead!.messageAttributes[DLQ_ATTRIBUTES.errorCode]!.stringValue).toBe('VALIDATION');
    expect(dead!.messageAttributes[DLQ_ATTRIBUTES.reason]!.stringValue).toBe('userId must be a string');
    expect(dead!.messageAttributes[DLQ_ATTRIBUTES.sourceQueue]!.stringValue).toBe(q.arn.split(':')[5]);
    expect(dead!.messageAttributes[DLQ_ATTRIBUTES.attempt]!.stringValue).toBe('1');
    expect(await receive(q, 10, 0)).toEqual([]);
  });

  it('keeps the message group and deduplicates by message id for a FIFO DLQ', async () => {
    const q = await queue(true);
    const dlq = await queue(true);
    await env.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'not json', MessageGroupId: 'order-7', MessageDeduplicationId: 'd1' }));
    const records = await receiveUntil(q, 1, 5000);
    const result = await processBatch(records, async () => {}, options({ deadLetter: dlq.url }));
    expect(result.outcomes[0]!.disposition).toBe('dead-lettered');
    const [dead] = await receiveUntil(dlq, 1, 5000);
    expect(dead!.body).toBe('not json');
    expect(dead!.attributes.MessageGroupId).toBe('order-7');
    expect(dead!.attributes.MessageDeduplicationId).toBe(records[0]!.messageId);
  });

  it('dead-letters a poison message at the 1 MiB limit without the annotations that would not fit', async () => {
    const q = await queue();
    const dlq = await queue();
    const body = 'x'.repeat(1_048_576 - 20);
    await env.sqs.send(new SendMessageCommand({
      QueueUrl: q.url, MessageBody: body, MessageAttributes: { kind: { DataType: 'String', StringValue: 'big' } },
    }));
    const records = await receiveUntil(q, 1, 5000);
    const result = await processBatch(records, async () => {}, options({ deadLetter: dlq.url }));
    expect(result.outcomes[0]!.disposition).toBe('dead-lettered');
    expect(result.batchItemFailures).toEqual([]);
    const [dead] = await receiveUntil(dlq, 1, 5000);
    expect(dead!.body).toBe(body);
    expect(dead!.messageAttributes.kind!.stringValue).toBe('big');
    expect(dead!.messageAttributes[DLQ_ATTRIBUTES.reason]).toBeUndefined();
  });

  it('keeps the message on the source queue and reports it failed when the DLQ send fails', async () => {
    const q = await queue(false, 1);
    await env.sqs.send(new SendMessageCommand({ QueueUrl: q.url, MessageBody: 'not json' }));
    const records = await receiveUntil(q, 1, 5000);
    const missing = `${env.server.endpoint}/000000000000/no-such-dlq-${Date.now()}`;
    const result = await processBatch(records, async () => {}, options({ deadLetter: missing }));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: records[0]!.messageId }]);
    expect(result.outcomes[0]!.disposition).toBeUndefined();
    await deleteSucceeded(q, records, result.batchItemFailures);
    const [back] = await receiveUntil(q, 1, 10_000);
    expect(back!.messageId).toBe(records[0]!.messageId);
  });
});
