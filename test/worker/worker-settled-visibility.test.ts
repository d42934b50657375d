/**
 * A received message stays invisible until it is deleted or released: a message whose
 * handler succeeded early is renewed with its batch until the batch's one
 * DeleteMessageBatch returns, so a slow sibling never lets it be delivered again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { ReceiveMessageCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { sluiceWorkerHandler, startWorker } from '../../lib/worker/index.ts';
import { countingClient, createQueue, queueDepth, sendBodies, useTestSqs, waitFor } from '../helpers/worker-fixtures.ts';

const env = useTestSqs();

interface Work {
  readonly n: number;
  readonly slowMs: number;
}

async function queueEmpty(queueUrl: string): Promise<boolean> {
  const depth = await queueDepth(env.sqs, queueUrl);
  return depth.visible === 0 && depth.inFlight === 0;
}

describe('sluice worker visibility of settled messages', () => {
  it('handles every message of a batch once when one handler outlasts the visibility timeout three times', async () => {
    const queueUrl = await createQueue(env.sqs, { VisibilityTimeout: '2' });
    await sendBodies(env.sqs, queueUrl, Array.from({ length: 10 }, (_, n) => JSON.stringify({ n, slowMs: n === 4 ? 6_000 : 0 })));
    const counting = countingClient(env.server);
    const handled = new Map<number, number>();
    let slowDone = false;
    const worker = await startWorker({
      queueUrl, sqsClient: counting.client, logger: false, waitTimeSeconds: 1,
      handler: sluiceWorkerHandler(async (message) => {
        const { n, slowMs } = message as Work;
        handled.set(n, (handled.get(n) ?? 0) + 1);
        if (slowMs > 0) {
          await sleep(slowMs);
          slowDone = true;
        }
      }, { logger: false }),
    });
    try {
      await waitFor(async () => slowDone && worker.snapshot().inFlight === 0 && (await queueEmpty(queueUrl)), 20_000, 'the slow message done and the queue empty');
      console.log('slow sibling, standard queue: SQS calls', JSON.stringify({ calls: counting.calls, entries: counting.entries }));
      expect([...handled.entries()].toSorted(([a], [b]) => a - b)).toEqual(Array.from({ length: 10 }, (_, n) => [n, 1]));
      expect(worker.snapshot()).toMatchObject({ received: 10, succeeded: 10, failed: 0, deleteFailures: 0 });
      // One receive, one DeleteMessageBatch for the batch; the settled messages ride along in
      // the renewals the slow one needs anyway (about one call per second of its 6 s).
      expect(counting.calls.DeleteMessageBatchCommand).toBe(1);
      expect(counting.entries.DeleteMessageBatchCommand).toBe(10);
      expect(counting.calls.ChangeMessageVisibilityBatchCommand).toBeLessThanOrEqual(8);
    } finally {
      await worker.stop();
      counting.client.destroy();
    }
  });

  it('FIFO: handles each message of a batch once when one handler outlasts the visibility timeout three times', async () => {
    const queueUrl = await createQueue(env.sqs, { FifoQueue: 'true', VisibilityTimeout: '2' });
    // One group per message: fauxqs hands out one message per group per receive (real SQS
    // may return several), so ten groups make one receive of ten.
    const work = Array.from({ length: 10 }, (_, n) => ({ n, slowMs: n === 4 ? 6_000 : 0 }));
    await env.sqs.send(new SendMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: work.map((w) => ({ Id: `e${w.n}`, MessageBody: JSON.stringify(w), MessageGroupId: `g${w.n}`, MessageDeduplicationId: `d${w.n}` })),
    }));
    const counting = countingClient(env.server);
    const handled: number[] = [];
    let slowDone = false;
    const worker = await startWorker({
      queueUrl, sqsClient: counting.client, logger: false, waitTimeSeconds: 1,
      handler: sluiceWorkerHandler(async (message) => {
        const { n, slowMs } = message as Work;
        handled.push(n);
        if (slowMs > 0) {
          await sleep(slowMs);
          slowDone = true;
        }
      }, { logger: false }),
    });
    try {
      await waitFor(async () => slowDone && worker.snapshot().inFlight === 0 && (await queueEmpty(queueUrl)), 20_000, 'the slow message done and the queue empty');
      console.log('slow sibling, FIFO queue: SQS calls', JSON.stringify({ calls: counting.calls, entries: counting.entries }));
      expect(handled.toSorted((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, n) => n));
      expect(worker.snapshot()).toMatchObject({ received: 10, succeeded: 10, failed: 0, deleteFailures: 0 });
      expect(counting.calls.DeleteMessageBatchCommand).toBe(1);
    } finally {
      await worker.stop();
      counting.client.destroy();
    }
  });

  it('keeps a message that runs three visibility timeouts invisible throughout and handles it once', async () => {
    const queueUrl = await createQueue(env.sqs, { VisibilityTimeout: '2' });
    await sendBodies(env.sqs, queueUrl, ['{"n":0,"slowMs":6000}']);
    let handled = 0;
    let done = false;
    const worker = await startWorker({
      queueUrl, endpoint: env.server.endpoint, logger: false, waitTimeSeconds: 1,
      handler: sluiceWorkerHandler(async (message) => {
        handled += 1;
        await sleep((message as Work).slowMs);
        done = true;
      }, { logger: false }),
    });
    try {
      await waitFor(() => handled === 1, 5_000, 'the handler to start');
      // A competing consumer long-polls for the whole run and never gets the message.
      let competingReceives = 0;
      while (!done) {
        const result = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
        expect(result.Messages ?? []).toEqual([]);
        competingReceives += 1;
      }
      expect(competingReceives).toBeGreaterThanOrEqual(4);
      await waitFor(() => queueEmpty(queueUrl), 5_000, 'the message to be deleted');
      expect(handled).toBe(1);
      // Renewed at half the timeout for 6 s: about every second.
      expect(worker.snapshot().visibilityExtensions).toBeGreaterThanOrEqual(4);
      expect(worker.snapshot()).toMatchObject({ received: 1, succeeded: 1, failed: 0 });
    } finally {
      await worker.stop();
    }
  });
});
