/**
 * The worker frees a batch's concurrency slots once its handler is done, so the next
 * receive overlaps the batch's DeleteMessageBatch — and messages awaiting deletes are
 * bounded by `concurrency` too.
 */
import { DeleteMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { localClientConfig } from '../../lib/local/index.ts';
import { sluiceWorkerHandler } from '../../lib/worker/index.ts';
import { startWorker } from '../../lib/worker/index.ts';
import { createQueue, queueDepth, sendBodies, useTestSqs, waitFor } from '../helpers/worker-fixtures.ts';

const env = useTestSqs();

describe('sluice worker deletes', () => {
  it('handles the next batch while a delete is pending, and holds at most twice its concurrency', async () => {
    const queueUrl = await createQueue(env.sqs, { VisibilityTimeout: '60' });
    await sendBodies(env.sqs, queueUrl, Array.from({ length: 40 }, (_, i) => JSON.stringify({ i })));
    // A client whose deletes wait until the test releases them.
    const client = new SQSClient(localClientConfig(env.server));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let deletesStarted = 0;
    client.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === DeleteMessageBatchCommand.name) {
        deletesStarted += 1;
        await gate;
      }
      return next(args);
    }, { step: 'initialize', name: 'holdDeletes' });
    let handled = 0;
    const worker = await startWorker({
      queueUrl, sqsClient: client, logger: false, waitTimeSeconds: 1, minPollers: 1, maxPollers: 1, concurrency: 10,
      handler: sluiceWorkerHandler(async () => { handled += 1; }, { logger: false }),
    });
    try {
      // Batch 1 handled, its delete held; batch 2 is received and handled meanwhile.
      await waitFor(() => handled >= 20 && deletesStarted >= 2, 10_000, 'a second batch handled during the first delete');
      // Both deletes held: 10 handling slots + 10 awaiting deletes are the most it may hold.
      await waitFor(async () => (await queueDepth(env.sqs, queueUrl)).inFlight === 20, 5_000, '20 messages held');
      expect(handled).toBe(20);
      release();
      await waitFor(() => worker.snapshot().succeeded === 40, 15_000, 'all 40 processed');
      await waitFor(async () => {
        const d = await queueDepth(env.sqs, queueUrl);
        return d.visible === 0 && d.inFlight === 0;
      }, 10_000, 'the queue to empty');
    } finally {
      release();
      await worker.stop();
      client.destroy();
    }
  });
});
