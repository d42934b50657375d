/**
 * The bad-input corpus through the local runtime: each case's bad message, between two
 * good ones, sent to a queue on the embedded server (envelope cases get their good
 * messages through SNS) and consumed by the event source mapping emulator, which invokes
 * a bundled `sqsHandler` (the case's options, `retry.deadLetter`) in a worker thread.
 *
 * Skipped cases (see `SKIPPED_ON_SQS`): bodies that are not strings, record fields that
 * SQS sets itself (attributes, ids, FIFO group), bodies SQS rejects (empty, over 1 MiB,
 * raw #x1), and `39-body-emoji-text`: fauxqs 2.4.1 rejects astral characters such as
 * emoji that real SQS accepts. The last test checks the embedded server still rejects them.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchVerdict } from '../../lib/sqs/index.ts';
import { localClientConfig, startEmbeddedServer } from '../../lib/local/index.ts';
import type { EmbeddedServer } from '../../lib/local/index.ts';
import { EsmEmulator } from '../../lib/local/emulator/index.ts';
import { LambdaInvoker } from '../../lib/local/emulator/index.ts';
import { badBody, SECRET_MARKER } from '../corpus/load-corpus.ts';
import type { CorpusCase } from '../corpus/load-corpus.ts';
import {
  bundleCorpusFixture, caseQueue, dispositionOf, dlqAttributes, drainDlq, recordCases, sendCase, SKIPPED_ON_SQS, sqsCases,
} from '../helpers/corpus-sqs.ts';
import { waitFor } from '../helpers/local-runtime.ts';

let server: EmbeddedServer;
let sqs: SQSClient;
let sns: SNSClient;
let dlqUrl: string;
let assetDir: string;
const invokers = new Map<string, LambdaInvoker>();
const stopping: Promise<unknown>[] = [];
/** Every line the functions wrote and every event the emulators emitted. */
const lines: string[] = [];
let coldStarts = 0;

beforeAll(async () => {
  server = await startEmbeddedServer({ port: 0 });
  sqs = new SQSClient(localClientConfig(server));
  sns = new SNSClient(localClientConfig(server));
  dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `corpus-esm-dlq-${process.pid}` }))).QueueUrl!;
  assetDir = await bundleCorpusFixture();
});

afterAll(async () => {
  await Promise.all(stopping);
  await Promise.all([...invokers.values()].map((i) => i.close()));
  sqs.destroy();
  sns.destroy();
  await server.stop();
});

/** One function (one execution environment) per distinct set of case options. */
function invokerFor(c: CorpusCase): LambdaInvoker {
  const key = JSON.stringify(c.options ?? {});
  let invoker = invokers.get(key);
  if (invoker === undefined) {
    const name = `corpus-${invokers.size + 1}`;
    invoker = new LambdaInvoker({
      fn: {
        name, arn: `arn:aws:lambda:${server.region}:000000000000:function:${name}`, assetDir, handler: 'index.handler',
        timeoutSeconds: 20, memoryMiB: 256,
        environment: { CORPUS_OPTIONS: key, SLUICE_DLQ_URL: dlqUrl, SLUICE_LOG_LEVEL: 'debug' },
      },
      region: server.region, endpoint: server.endpoint, maxEnvironments: 1,
      onLog: (line) => lines.push(line),
    });
    invokers.set(key, invoker);
  }
  return invoker;
}

describe('bad-input corpus through the ESM emulator', () => {
  it.each(sqsCases.map((c) => [c.file, c] as const))('%s', async (_file, c) => {
    const queue = await caseQueue(sqs, sns, c, 'corpus-esm');
    const badId = await sendCase(sqs, sns, c, queue);
    const invoker = invokerFor(c);
    const emulator = new EsmEmulator({
      name: c.name, server, queueUrl: queue.url, queueArn: queue.arn, reportBatchItemFailures: true, concurrency: 1,
      invoke: (event) => invoker.invoke(event),
    });
    const verdicts: BatchVerdict[] = [];
    const errors: Error[] = [];
    emulator.on('batch', (b) => {
      verdicts.push(b.verdict);
      if (b.coldStart) coldStarts += 1;
      lines.push(JSON.stringify(b));
    });
    emulator.on('error', (error) => errors.push(error));
    emulator.start();
    try {
      await waitFor(() => emulator.ids.received.size === 3 && emulator.inFlight === 0, 30_000, `${c.file}: three messages settled`);
    } finally {
      stopping.push(emulator.stop());
    }

    expect(errors).toEqual([]);
    expect(verdicts.filter((v) => v.kind === 'batch-failed')).toEqual([]);
    const goods = [...emulator.ids.received].filter((id) => id !== badId);
    expect(goods).toHaveLength(2);
    for (const id of goods) expect(emulator.ids.succeeded.has(id), 'good message deleted').toBe(true);
    const disposition = dispositionOf(c);
    const retried = verdicts.flatMap((v) => (v.kind === 'partial' ? v.failedIds : []));
    expect(retried).toEqual(disposition === 'retried' ? [badId] : []);
    expect(emulator.ids.succeeded.has(badId)).toBe(disposition !== 'retried');
    const dead = await drainDlq(sqs, dlqUrl);
    expect(dead.map((m) => dlqAttributes(m).sourceQueue)).toEqual(disposition === 'dead-lettered' ? [queue.name] : []);
    if (disposition === 'dead-lettered') {
      expect(dlqAttributes(dead[0]!).errorCode).toBe(c.expect.errorCode);
      expect(dead[0]!.Body).toBe(badBody(c));
    }
    // The function logged the failure (so the marker check below means something).
    if (c.expect.status === 'failed') expect(lines.some((l) => l.includes(badId) && l.includes('"WARN"'))).toBe(true);
    for (const line of lines) expect(line).not.toContain(SECRET_MARKER);
    expect(lines.filter((l) => l.includes('prototypePolluted'))).toEqual([]);
  });

  it('never lost an execution environment (one cold start per function)', () => {
    expect(coldStarts).toBe(invokers.size);
  });

  it('covers every record-level case that SQS can carry, and the embedded server still rejects the skipped bodies', async () => {
    expect(sqsCases.length + Object.keys(SKIPPED_ON_SQS).length).toBe(recordCases.length);
    expect(sqsCases.length).toBeGreaterThanOrEqual(29);
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `corpus-esm-rejects-${process.pid}` }))).QueueUrl!;
    for (const c of recordCases.filter((r) => SKIPPED_ON_SQS[r.file]?.rejected)) {
      await expect(sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: badBody(c) as string })), c.file).rejects.toThrow();
    }
  });
});
