/**
 * Shutdown and restart under load (issue 7): a `sluice worker` child process gets SIGTERM
 * while a producer is still sending; it drains and exits 0; a new worker takes over. In
 * the end every message was processed at least once or is in the DLQ (the failing ones,
 * through the redrive policy): none lost. Duplicates are reported, not forbidden.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/cli-process.ts';
import type { CliProcess } from '../helpers/cli-process.ts';
import { createQueue, queueDepth, sendBodies, useTestSqs, waitFor } from '../helpers/worker-fixtures.ts';

const TOTAL = 1500;
const failing = (n: number): boolean => n % 250 === 7;

const env = useTestSqs();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-restart-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const okLines = (file: string): number[] => {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l.startsWith('ok ')).map((l) => Number(l.slice(3)));
  } catch {
    return [];
  }
};

describe('sluice worker shutdown and restart under load', () => {
  it('SIGTERM mid-load drains and exits 0; after a restart every message is processed or dead-lettered, none lost', async () => {
    const dlqUrl = await createQueue(env.sqs, {}, 'restart-dlq');
    const { Attributes } = await env.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const queueUrl = await createQueue(env.sqs, {
      VisibilityTimeout: '2',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: 2 }),
    }, 'restart');
    const log = join(dir, 'restart.log');
    const startWorker = (): CliProcess => startCli([
      'worker', '--queue-url', queueUrl, '--endpoint', env.server.endpoint, '--handler', 'test/fixtures/worker/restart-handler.ts',
      '--max-pollers', '4', '--concurrency', '40', '--wait-time-seconds', '1', '--log-level', 'warn',
    ], { WORKER_TEST_LOG: log, WORKER_TEST_DELAY_MS: '5' });

    // The producer keeps at most 200 messages waiting, so it is still sending while the
    // first worker runs, while it shuts down and after the restart.
    const bodies = Array.from({ length: TOTAL }, (_, n) => JSON.stringify({ n, ...(failing(n) ? { fail: true } : {}) }));
    let sent = 0;
    const producer = (async () => {
      while (sent < TOTAL) {
        await waitFor(async () => (await queueDepth(env.sqs, queueUrl)).visible < 200, 60_000, 'room on the queue');
        await sendBodies(env.sqs, queueUrl, bodies.slice(sent, sent + 50));
        sent += 50;
      }
    })();

    const first = startWorker();
    let second: CliProcess | undefined;
    try {
      await waitFor(() => okLines(log).length >= 300, 30_000, 'the first worker to process 300 messages');
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(sent, 'the producer was still sending').toBeLessThan(TOTAL);
      second = startWorker();
      await producer;
      const expectedOk = bodies.length - bodies.filter((_, n) => failing(n)).length;
      await waitFor(() => new Set(okLines(log)).size === expectedOk, 40_000, 'every good message processed');
      await waitFor(async () => {
        const [q, d] = await Promise.all([queueDepth(env.sqs, queueUrl), queueDepth(env.sqs, dlqUrl)]);
        return q.visible + q.inFlight === 0 && d.visible === TOTAL - expectedOk;
      }, 40_000, 'the source queue empty and the failing messages in the DLQ');
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGKILL');
    }

    const dead: number[] = [];
    for (;;) {
      const { Messages = [] } = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10 }));
      if (Messages.length === 0) break;
      dead.push(...Messages.map((m) => (JSON.parse(m.Body!) as { n: number }).n));
      await env.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: dlqUrl, Entries: Messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
    }
    const processed = okLines(log);
    const distinct = new Set(processed);
    const lost = bodies.map((_, n) => n).filter((n) => !distinct.has(n) && !dead.includes(n));
    expect(lost).toEqual([]);
    expect(dead.toSorted((a, b) => a - b)).toEqual(bodies.map((_, n) => n).filter(failing));
    expect([...distinct].filter(failing)).toEqual([]);
    // Duplicates are allowed (at least once); report them.
    console.info(`worker restart: ${TOTAL} messages, ${distinct.size} processed, ${processed.length - distinct.size} duplicates, ${dead.length} dead-lettered`);
  });
});
