import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { SqsRecord } from '../../lambda/runtime/index.ts';
import { lambdaWorkerHandler, sluiceWorkerHandler } from '../../lib/worker/index.ts';
import { startWorker } from '../../lib/worker/index.ts';
import { createQueue, queueDepth, sendBodies, useTestSqs, waitFor } from '../helpers/worker-fixtures.ts';

const env = useTestSqs();

describe('sluice worker processing', () => {
  it('deletes the messages that succeeded and leaves the failed ones on the queue', async () => {
    const queueUrl = await createQueue(env.sqs, { VisibilityTimeout: '30' });
    const bodies = Array.from({ length: 25 }, (_, i) => JSON.stringify({ n: i, fail: i % 5 === 0 }));
    await sendBodies(env.sqs, queueUrl, bodies);
    const seen: number[] = [];
    const worker = await startWorker({
      queueUrl,
      endpoint: env.server.endpoint,
      logger: false,
      waitTimeSeconds: 1,
      handler: sluiceWorkerHandler(async (message: unknown) => {
        const { n, fail } = message as { n: number; fail: boolean };
        seen.push(n);
        if (fail) throw new Error(`message ${n} fails`);
      }, { logger: false }),
    });
    try {
      await waitFor(() => worker.snapshot().succeeded === 20 && worker.snapshot().failed === 5, 10_000, '25 settled');
      await waitFor(async () => (await queueDepth(env.sqs, queueUrl)).inFlight === 5, 5_000, 'successes deleted');
      expect(await queueDepth(env.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 5 });
      expect(seen.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i));
    } finally {
      const summary = await worker.stop();
      expect(summary).toMatchObject({ received: 25, succeeded: 20, failed: 5, deleteFailures: 0, aborted: false });
    }
  });

  it('hands the handler Lambda-shaped records carrying the queue ARN, region and attributes', async () => {
    const queueUrl = await createQueue(env.sqs);
    await env.sqs.send(new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: '{"hello":"world"}',
      MessageAttributes: {
        tenant: { DataType: 'String', StringValue: 'acme' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from('hi') },
      },
    }));
    const records: SqsRecord[] = [];
    const worker = await startWorker({
      queueUrl,
      endpoint: env.server.endpoint,
      logger: false,
      waitTimeSeconds: 1,
      handler: lambdaWorkerHandler((event) => {
        records.push(...event.Records);
        return { batchItemFailures: [] };
      }),
    });
    try {
      await waitFor(() => records.length === 1, 5_000, 'one record');
    } finally {
      await worker.stop();
    }
    const record = records[0]!;
    expect(Object.keys(record)).toEqual([
      'messageId', 'receiptHandle', 'body', 'attributes', 'messageAttributes', 'md5OfBody',
      'md5OfMessageAttributes', 'eventSource', 'eventSourceARN', 'awsRegion',
    ]);
    expect(record).toMatchObject({
      body: '{"hello":"world"}',
      eventSource: 'aws:sqs',
      eventSourceARN: worker.queueArn,
      awsRegion: 'us-east-1',
      messageAttributes: {
        tenant: { stringValue: 'acme', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: Buffer.from('hi').toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
    });
    expect(worker.queueArn).toMatch(/^arn:aws:sqs:us-east-1:\d{12}:worker-/);
    expect(record.attributes.ApproximateReceiveCount).toBe('1');
    expect(record.attributes.SentTimestamp).toMatch(/^\d+$/);
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
  });

  it('fails the whole batch when a Lambda handler reports an identifier that is not in the batch', async () => {
    const queueUrl = await createQueue(env.sqs);
    await sendBodies(env.sqs, queueUrl, ['a', 'b', 'c']);
    const worker = await startWorker({
      queueUrl,
      endpoint: env.server.endpoint,
      logger: false,
      waitTimeSeconds: 1,
      handler: lambdaWorkerHandler(() => ({ batchItemFailures: [{ itemIdentifier: 'not-a-message-id' }] })),
    });
    try {
      await waitFor(() => worker.snapshot().failed === 3, 5_000, 'three failed');
      expect(worker.snapshot().succeeded).toBe(0);
      expect(await queueDepth(env.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 3 });
      const again = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 0 }));
      expect(again.Messages).toBeUndefined();
    } finally {
      await worker.stop();
    }
  });
});
