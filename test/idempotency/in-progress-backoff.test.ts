/**
 * A record refused because another invocation holds its key is a transient failure: with
 * `retry.backoff` its next attempt is delayed through `ChangeMessageVisibility` (embedded
 * SQS), then it finds the key completed and succeeds without running.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { IdempotencyInProgressError, memoryStore } from '../../lambda/idempotency/index.ts';
import { processBatch, retryPolicy } from '../../lambda/runtime/index.ts';
import type { SqsRecord } from '../../lambda/runtime/index.ts';
import { toSqsRecord } from '../../lib/sqs/index.ts';
import { createQueue, useTestSqs } from '../helpers/worker-fixtures.ts';

const env = useTestSqs();

async function receiveOne(url: string, arn: string, timeoutMs: number): Promise<SqsRecord> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const { Messages = [] } = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, MessageSystemAttributeNames: ['All'] }));
    if (Messages[0]) return toSqsRecord(Messages[0], arn, env.server.region);
  }
  throw new Error('no message');
}

describe('an in-progress key with retry.backoff', () => {
  it('delays the record by the backoff, like any transient failure, and the retry is an idempotent hit', async () => {
    const url = await createQueue(env.sqs, { VisibilityTimeout: '300' }, 'idempotency');
    const { Attributes } = await env.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }));
    const arn = Attributes!.QueueArn!;
    await env.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"orderId":"o-1"}' }));
    const record = await receiveOne(url, arn, 5000);
    const store = memoryStore();
    // Another invocation holds the key.
    const other = await store.claim('sluice#o-1', { expiresAfterSeconds: 3600, inProgressExpiryMs: 60_000 });
    let effects = 0;
    const options = {
      logger: false as const,
      retry: retryPolicy({ backoff: { baseSeconds: 1, maxSeconds: 1, jitter: 'none' as const }, endpoint: env.server.endpoint }),
      idempotency: { store, key: (o: { orderId: string }) => o.orderId },
    };
    const first = await processBatch([record], async () => { effects++; }, options);
    expect(first.outcomes[0]).toMatchObject({ status: 'failed', disposition: 'delayed', visibilityTimeoutSeconds: 1, error: expect.any(IdempotencyInProgressError) });
    // The other invocation finishes; the message is back after ~1 s, not the queue's 300 s.
    expect(other.status).toBe('claimed');
    await store.complete('sluice#o-1', 3600);
    const again = await receiveOne(url, arn, 10_000);
    const second = await processBatch([again], async () => { effects++; }, options);
    expect(second.outcomes[0]).toMatchObject({ status: 'succeeded', idempotentHit: true });
    expect(effects).toBe(0);
  });
});
