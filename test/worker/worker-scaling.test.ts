import { describe, expect, it } from 'vitest';
import { sluiceWorkerHandler } from '../../lib/worker/index.ts';
import { startWorker } from '../../lib/worker/index.ts';
import { createQueue, queueDepth, sendBodies, useTestSqs, waitFor } from '../helpers/worker-fixtures.ts';

const env = useTestSqs();

describe('sluice worker poller scaling', () => {
  it('adds pollers under a backlog, up to the maximum, and retires them to the minimum when idle', async () => {
    const queueUrl = await createQueue(env.sqs, { VisibilityTimeout: '30' });
    await sendBodies(env.sqs, queueUrl, Array.from({ length: 300 }, (_, i) => JSON.stringify({ i })));
    let inFlight = 0;
    let peakInFlight = 0;
    const worker = await startWorker({
      queueUrl,
      endpoint: env.server.endpoint,
      logger: false,
      waitTimeSeconds: 1,
      minPollers: 1,
      maxPollers: 4,
      concurrency: 30,
      handler: sluiceWorkerHandler(async () => {
        inFlight += 1;
        peakInFlight = Math.max(peakInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
      }, { logger: false }),
    });
    try {
      expect(worker.pollers).toBe(1);
      await waitFor(() => worker.snapshot().succeeded === 300, 20_000, 'the backlog to be processed');
      expect(worker.snapshot().peakPollers).toBe(4);
      expect(peakInFlight).toBeLessThanOrEqual(30);
      await waitFor(() => worker.pollers === 1, 10_000, 'idle pollers to retire');
      await waitFor(async () => {
        const depth = await queueDepth(env.sqs, queueUrl);
        return depth.visible === 0 && depth.inFlight === 0;
      }, 5_000, 'every message deleted');
    } finally {
      await worker.stop();
    }
  });

  it('rejects a poller range whose maximum is below its minimum, naming both', async () => {
    const queueUrl = await createQueue(env.sqs);
    await expect(startWorker({
      queueUrl,
      endpoint: env.server.endpoint,
      logger: false,
      minPollers: 5,
      maxPollers: 2,
      handler: sluiceWorkerHandler(() => undefined),
    })).rejects.toThrow(/maxPollers: received 2; allowed: at least minPollers \(5\)/);
  });
});

describe('sluice worker options', () => {
  it('rejects unknown option keys and out-of-range values in one error', async () => {
    const options = { queueUrl: 'http://127.0.0.1:1/000000000000/q', handler: sluiceWorkerHandler(() => undefined), waitTimeSeconds: 25, pollers: 3 };
    await expect(startWorker(options)).rejects.toThrow(/- pollers: unknown option; allowed: queueUrl, [\s\S]*\n- waitTimeSeconds: received 25; allowed: an integer from 0 to 20/);
  });
});
