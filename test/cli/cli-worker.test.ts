import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadHandlerModule } from '../../lib/worker/index.ts';
import { REPO_ROOT, startCli } from '../helpers/cli-process.ts';
import { createQueue, queueDepth, sendBodies, useTestSqs, waitFor } from '../helpers/worker-fixtures.ts';

const env = useTestSqs();
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-cli-worker-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('sluice worker command', () => {
  it('runs a Lambda module exporting handler = sqsHandler(...), serves metrics, and exits 0 on SIGTERM', async () => {
    const queueUrl = await createQueue(env.sqs);
    await sendBodies(env.sqs, queueUrl, Array.from({ length: 6 }, (_, n) => JSON.stringify({ n, fail: n >= 4 })));
    const log = join(dir, 'sluice-handler.log');
    const worker = startCli([
      'worker', '--queue-url', queueUrl, '--endpoint', env.server.endpoint,
      '--handler', 'test/fixtures/worker/sluice-handler.ts', '--wait-time-seconds', '1', '--metrics-port', '0',
    ], { WORKER_TEST_LOG: log });
    try {
      const started = await waitFor(() => worker.stdout().split('\n').find((l) => l.includes('"message":"Worker started"')), 10_000, 'the start line');
      const { metricsUrl, handler } = JSON.parse(started!) as { metricsUrl: string; handler: string };
      expect(handler).toBe('Sluice handler test/fixtures/worker/sluice-handler.ts#handler');
      await waitFor(async () => (await queueDepth(env.sqs, queueUrl)).inFlight === 2, 10_000, 'the successes to be deleted');
      const metrics = await (await fetch(`${metricsUrl}/metrics`)).text();
      expect(metrics).toMatch(/^sluice_worker_messages_succeeded_total\{queue="[^"]+"\} 4$/m);
      expect(metrics).toMatch(/^sluice_worker_messages_failed_total\{queue="[^"]+"\} 2$/m);
      expect((await fetch(`${metricsUrl}/healthz`)).status).toBe(200);
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      worker.child.kill('SIGKILL');
    }
    const lines = readFileSync(log, 'utf8').trim().split('\n').toSorted();
    expect(lines).toEqual(['fail 4', 'fail 5', 'ok 0', 'ok 1', 'ok 2', 'ok 3']);
    expect(await queueDepth(env.sqs, queueUrl)).toEqual({ visible: 0, inFlight: 2 });
  });

  it("gives the handler its queue's DLQ, so poison goes there on the first attempt (retry.deadLetter: 'auto')", async () => {
    const dlqUrl = await createQueue(env.sqs, {}, 'worker-dlq');
    const { Attributes } = await env.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const queueUrl = await createQueue(env.sqs, {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: 5 }),
    });
    await sendBodies(env.sqs, queueUrl, [JSON.stringify({ n: 1 }), JSON.stringify({ poison: true }), JSON.stringify({ n: 2 })]);
    const worker = startCli([
      'worker', '--queue-url', queueUrl, '--endpoint', env.server.endpoint,
      '--handler', 'test/fixtures/worker/retry-handler.ts', '--wait-time-seconds', '1',
    ]);
    try {
      await waitFor(async () => {
        const depth = await queueDepth(env.sqs, queueUrl);
        return depth.visible === 0 && depth.inFlight === 0;
      }, 15_000, 'the source queue to empty');
      const { Messages = [] } = await env.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'] }));
      expect(Messages.map((m) => m.Body)).toEqual([JSON.stringify({ poison: true })]);
      expect(Messages[0]!.MessageAttributes?.['sluice.errorCode']?.StringValue).toBe('PERMANENT');
      expect(Messages[0]!.MessageAttributes?.['sluice.attempt']?.StringValue).toBe('1');
      worker.child.kill('SIGTERM');
      expect(await worker.exited).toBe(0);
    } finally {
      worker.child.kill('SIGKILL');
    }
  });

  it('exits 1 with the queue named when the queue does not exist', async () => {
    const missing = `${env.server.endpoint}/000000000000/no-such-queue`;
    const worker = startCli(['worker', '--queue-url', missing, '--endpoint', env.server.endpoint, '--handler', 'test/fixtures/worker/sluice-handler.ts']);
    expect(await worker.exited).toBe(1);
    expect(worker.stderr()).toContain(`sluice worker: WorkerStartError: Cannot read the attributes of queue ${missing}`);
  });

  it('recognizes the example register-user Lambda module as a Sluice handler', async () => {
    // Its idempotency store reads the table name when the handler is created (nothing is called here).
    process.env.SLUICE_IDEMPOTENCY_TABLE ??= 'register-user-idempotency';
    const handler = await loadHandlerModule('lib/example/handlers/register-user.ts', REPO_ROOT);
    expect(handler.description).toBe('Sluice handler lib/example/handlers/register-user.ts#handler');
  });
});
