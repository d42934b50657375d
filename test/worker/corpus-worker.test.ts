/**
 * The bad-input corpus through `sluice worker` (`startWorker` in-process): each case's bad
 * message between two good ones on a queue of the embedded server, processed with the
 * case's options and `retry.deadLetter`. Same cases as `corpus-emulator.test.ts` (see
 * `SKIPPED_ON_SQS` for the ones SQS cannot carry).
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as runtime from '../../lambda/runtime/index.ts';
import type { SluiceLogger } from '../../lambda/runtime/index.ts';
import { localClientConfig, startEmbeddedServer } from '../../lib/local/index.ts';
import type { EmbeddedServer } from '../../lib/local/index.ts';
import { sluiceWorkerHandler } from '../../lib/worker/index.ts';
import type { BatchRunResult, WorkerHandler } from '../../lib/worker/index.ts';
import { startWorker } from '../../lib/worker/index.ts';
import { badBody, caseOptions, corpusHandle, SECRET_MARKER } from '../corpus/load-corpus.ts';
import { caseQueue, dispositionOf, dlqAttributes, drainDlq, sendCase, sqsCases } from '../helpers/corpus-sqs.ts';
import { queueDepth, waitFor } from '../helpers/worker-fixtures.ts';

let server: EmbeddedServer;
let sqs: SQSClient;
let sns: SNSClient;
let dlqUrl: string;
const lines: string[] = [];

const logger: SluiceLogger = {
  debug: (m, f) => void lines.push(JSON.stringify({ m, ...f })),
  info: (m, f) => void lines.push(JSON.stringify({ m, ...f })),
  warn: (m, f) => void lines.push(JSON.stringify({ m, ...f })),
  error: (m, f) => void lines.push(JSON.stringify({ m, ...f })),
};

beforeAll(async () => {
  server = await startEmbeddedServer({ port: 0 });
  sqs = new SQSClient(localClientConfig(server));
  sns = new SNSClient(localClientConfig(server));
  dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `corpus-worker-dlq-${process.pid}` }))).QueueUrl!;
});

afterAll(async () => {
  sqs.destroy();
  sns.destroy();
  await server.stop();
});

describe('bad-input corpus through sluice worker', () => {
  it.each(sqsCases.map((c) => [c.file, c] as const))('%s', async (_file, c) => {
    const queue = await caseQueue(sqs, sns, c, 'corpus-worker');
    const badId = await sendCase(sqs, sns, c, queue);
    const results: BatchRunResult[] = [];
    const base = sluiceWorkerHandler(corpusHandle, { ...caseOptions(c), retry: runtime.retryPolicy({ deadLetter: dlqUrl, endpoint: server.endpoint }), logger });
    const handler: WorkerHandler = {
      description: base.description,
      run: async (records, hooks) => {
        const result = await base.run(records, hooks);
        results.push(result);
        return result;
      },
    };
    const worker = await startWorker({ queueUrl: queue.url, endpoint: server.endpoint, handler, logger, waitTimeSeconds: 1 });
    try {
      await waitFor(() => {
        const s = worker.snapshot();
        return s.received === 3 && s.succeeded + s.failed === 3 && s.inFlight === 0;
      }, 30_000, `${c.file}: three messages settled`);
    } finally {
      expect(await worker.stop()).toMatchObject({ received: 3, deleteFailures: 0, aborted: false });
    }

    const outcomes = results.flatMap((r) => r.outcomes);
    const bad = outcomes.find((o) => o.messageId === badId)!;
    expect(bad.status).toBe(c.expect.status);
    if (c.expect.errorClass) {
      const ErrorClass = (runtime[c.expect.errorClass as keyof typeof runtime] ?? Error) as unknown as new () => Error;
      expect(bad.error).toBeInstanceOf(ErrorClass);
    }
    if (c.expect.errorCode) expect((bad.error as { code?: string }).code).toBe(c.expect.errorCode);
    expect(outcomes.filter((o) => o.messageId !== badId).map((o) => o.status)).toEqual(['succeeded', 'succeeded']);

    const disposition = dispositionOf(c);
    expect(await queueDepth(sqs, queue.url)).toEqual({ visible: 0, inFlight: disposition === 'retried' ? 1 : 0 });
    const dead = await drainDlq(sqs, dlqUrl);
    expect(dead.map((m) => dlqAttributes(m).sourceQueue)).toEqual(disposition === 'dead-lettered' ? [queue.name] : []);
    if (disposition === 'dead-lettered') {
      expect(dlqAttributes(dead[0]!).errorCode).toBe(c.expect.errorCode);
      expect(dead[0]!.Body).toBe(badBody(c));
    }
    if (c.expect.status === 'failed') expect(lines.some((l) => l.includes(badId))).toBe(true);
    for (const line of lines) expect(line).not.toContain(SECRET_MARKER);
    if (c.checkPrototype) expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
