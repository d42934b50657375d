import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { sluiceWorkerHandler } from '../../lib/worker/index.ts';
import { startWorker } from '../../lib/worker/index.ts';
import { createQueue, queueDepth, sendBodies, useTestSqs, waitFor } from '../helpers/worker-fixtures.ts';

const env = useTestSqs();

describe('sluice worker visibility heartbeat', () => {
  it('keeps a message invisible while its handler runs longer than the visibility timeout', async () => {
    const queueUrl = await createQueue(env.sqs, { VisibilityTimeout: '2' });
    await sendBodies(env.sqs, queueUrl, ['{"slow":true}']);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    const attempts: number[] = [];
    const worker = await startWorker({
      queueUrl,
      endpoint: env.server.endpoint,
      logger: false,
      waitTimeSeconds: 1,
      handler: sluiceWorkerHandler(async (_message, ctx) => {
        attempts.push(ctx.attempt);
        started = true;
        await released;
      }, { logger: false }),
    });
    try {
      await waitFor(() => started, 5_000, 'the handler to start');
      // Until the heartbeat has renewed three times (past the first 2 s timeout), neither a
      // competing consumer nor the worker itself receives the message again.
      const deadline = Date.now() + 10_000;
      while (worker.snapshot().visibilityExtensions < 3) {
        const result = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
        expect(result.Messages ?? []).toEqual([]);
        expect(attempts).toEqual([1]);
        expect(Date.now(), 'three renewals within 10 s').toBeLessThan(deadline);
      }
      release();
      await waitFor(async () => {
        const depth = await queueDepth(env.sqs, queueUrl);
        return depth.visible === 0 && depth.inFlight === 0;
      }, 5_000, 'the message to be deleted');
      expect(attempts).toEqual([1]);
      expect(worker.snapshot()).toMatchObject({ received: 1, succeeded: 1, failed: 0 });
    } finally {
      release();
      await worker.stop();
    }
  });

  it('stops extending a failed message, so it is delivered again after its timeout', async () => {
    const queueUrl = await createQueue(env.sqs, { VisibilityTimeout: '1' });
    await sendBodies(env.sqs, queueUrl, ['{"fail":true}']);
    const attempts: number[] = [];
    const worker = await startWorker({
      queueUrl,
      endpoint: env.server.endpoint,
      logger: false,
      waitTimeSeconds: 1,
      handler: sluiceWorkerHandler(async (_message, ctx) => {
        attempts.push(ctx.attempt);
        throw new Error('always fails');
      }, { logger: false }),
    });
    try {
      await waitFor(() => attempts.length >= 2, 8_000, 'a second delivery');
      expect(attempts.slice(0, 2)).toEqual([1, 2]);
    } finally {
      await worker.stop();
    }
  });
});
