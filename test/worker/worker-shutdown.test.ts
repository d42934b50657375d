import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli-process.ts';
import { createQueue, queueDepth, sendBodies, useTestSqs, waitFor } from '../helpers/worker-fixtures.ts';

const env = useTestSqs();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-worker-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const lines = (file: string, prefix: string): string[] => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith(prefix));
  } catch {
    return [];
  }
};

describe('sluice worker graceful shutdown', () => {
  it('on SIGTERM mid-batch finishes and deletes in-flight work, deletes nothing unprocessed and receives nothing new', async () => {
    const queueUrl = await createQueue(env.sqs, { VisibilityTimeout: '30' });
    await sendBodies(env.sqs, queueUrl, Array.from({ length: 25 }, (_, n) => JSON.stringify({ n })));
    const log = join(dir, 'sigterm.log');
    const worker = startCli([
      'worker', '--queue-url', queueUrl, '--endpoint', env.server.endpoint,
      '--handler', 'test/fixtures/worker/slow-handler.ts', '--max-pollers', '1', '--concurrency', '10',
      '--wait-time-seconds', '1', '--log-level', 'warn',
    ], { WORKER_TEST_LOG: log, WORKER_TEST_DELAY_MS: '1500' });
    try {
      await waitFor(() => lines(log, 'start').length === 10, 15_000, 'the first batch to start');
      expect(lines(log, 'done')).toEqual([]);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      worker.child.kill('SIGKILL');
    }
    const started = lines(log, 'start').map((l) => l.slice(6)).toSorted();
    expect(started).toHaveLength(10);
    expect(lines(log, 'done').map((l) => l.slice(5)).toSorted()).toEqual(started);
    expect(await queueDepth(env.sqs, queueUrl)).toEqual({ visible: 15, inFlight: 0 });
    const rest = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    const rest2 = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    const remaining = [...(rest.Messages ?? []), ...(rest2.Messages ?? [])];
    expect(remaining).toHaveLength(15);
    // Received by this test for the first time: the worker never took them.
    expect(remaining.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(Array(15).fill('1'));
    const remainingNs = remaining.map((m) => String((JSON.parse(m.Body!) as { n: number }).n));
    expect(remainingNs.filter((n) => started.includes(n))).toEqual([]);
  });

  it('on a second signal aborts in-flight work without deleting it and exits 1', async () => {
    const queueUrl = await createQueue(env.sqs, { VisibilityTimeout: '30' });
    await sendBodies(env.sqs, queueUrl, Array.from({ length: 3 }, (_, n) => JSON.stringify({ n })));
    const log = join(dir, 'abort.log');
    const worker = startCli([
      'worker', '--queue-url', queueUrl, '--endpoint', env.server.endpoint,
      '--handler', 'test/fixtures/worker/slow-handler.ts', '--wait-time-seconds', '1', '--log-level', 'info',
    ], { WORKER_TEST_LOG: log, WORKER_TEST_DELAY_MS: '60000' });
    try {
      await waitFor(() => lines(log, 'start').length === 3, 15_000, 'the batch to start');
      worker.child.kill('SIGTERM');
      await waitFor(() => worker.stdout().includes('"message":"Worker draining"'), 5_000, 'the drain to begin');
      worker.child.kill('SIGINT');
      expect(await worker.exited).toBe(1);
    } finally {
      worker.child.kill('SIGKILL');
    }
    expect(lines(log, 'done')).toEqual([]);
    expect(worker.stderr()).toContain('Worker aborted in-flight work');
    expect(await queueDepth(env.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 3 });
  });
});
