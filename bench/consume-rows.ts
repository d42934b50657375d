/**
 * The rows of the consume benchmark: four ways of draining one SQS queue with the same
 * handler (10 ms awaited per message) and 50 messages in flight at most.
 *
 * Every row gets a fresh queue preloaded with N messages and an SQS client of its own
 * that counts the entries `DeleteMessageBatch` deleted (the emulator builds its own
 * client and reports its deletes through its `batch` events instead).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DeleteMessageBatchResult } from '@aws-sdk/client-sqs';
import { Consumer } from 'sqs-consumer';
import { localClientConfig } from '../lib/local/index.ts';
import { EsmEmulator } from '../lib/local/emulator/index.ts';
import { sluiceWorkerHandler } from '../lib/worker/index.ts';
import { LambdaInvoker } from '../lib/local/emulator/index.ts';
import { startWorker } from '../lib/worker/index.ts';

/** Messages in flight at most, in every row. */
export const CONSUME_CONCURRENCY = 50;
/** Awaited per message by every row's handler. */
export const HANDLER_MS = 10;
/** Parallel receive loops (sqs-consumer instances, raw loops, emulator lanes): 5 × 10 = 50. */
const LOOPS = 5;
const BATCH = 10;

/** What a row gets for one run. */
export interface RowEnv {
  readonly endpoint: string;
  readonly region: string;
  readonly queueUrl: string;
  readonly queueArn: string;
  /** Call once per message whose handler finished. */
  readonly handled: (count: number) => void;
  /** Call with the number of messages deleted. */
  readonly deleted: (count: number) => void;
}

/** A row consuming its queue; `stop()` ends it once the run is measured. */
export interface RunningRow {
  stop(): Promise<void>;
}

/** One way of consuming the queue. */
export interface ConsumeRow {
  readonly name: string;
  /** Shown under the table. */
  readonly config: string;
  /** Starts consuming (the clock runs from just before this call). */
  start(env: RowEnv): Promise<RunningRow>;
  /** One-time setup outside the timing (e.g. warm Lambda execution environments). */
  prepare?(endpoint: string, region: string): Promise<void>;
  /** Releases what `prepare` made. */
  close?(): Promise<void>;
}

/** The handler of every in-process row: 10 ms of awaited "I/O", then count it. */
const work = async (env: RowEnv): Promise<void> => {
  await sleep(HANDLER_MS);
  env.handled(1);
};

/** An SQS client of the local server that reports how many entries each `DeleteMessageBatch` deleted. */
export function countingClient(env: Pick<RowEnv, 'endpoint' | 'region' | 'deleted'>): SQSClient {
  const client = new SQSClient(localClientConfig(env));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (context.commandName === 'DeleteMessageBatchCommand') {
        env.deleted((result.output as DeleteMessageBatchResult).Successful?.length ?? 0);
      }
      return result;
    },
    { step: 'initialize', name: 'benchDeleteCounter' },
  );
  return client;
}

/** The ceiling: `LOOPS` bare loops of receive 10 → run the 10 in parallel → one DeleteMessageBatch. */
export function rawLoopRow(): ConsumeRow {
  return {
    name: `raw loop: ${LOOPS} × (receive ${BATCH} → handler × ${BATCH} → DeleteMessageBatch)`,
    config: `${LOOPS} loops, each: \`ReceiveMessage\` (10, \`WaitTimeSeconds\` 1, no attributes) → \`Promise.all\` of the handler → one \`DeleteMessageBatch\``,
    async start(env) {
      const client = countingClient(env);
      const abort = new AbortController();
      const loop = async (): Promise<void> => {
        while (!abort.signal.aborted) {
          let messages;
          try {
            const out = await client.send(new ReceiveMessageCommand({ QueueUrl: env.queueUrl, MaxNumberOfMessages: BATCH, WaitTimeSeconds: 1 }), { abortSignal: abort.signal });
            messages = out.Messages ?? [];
          } catch (error) {
            if (abort.signal.aborted) return;
            throw error;
          }
          if (messages.length === 0) continue;
          await Promise.all(messages.map(() => work(env)));
          await client.send(new DeleteMessageBatchCommand({
            QueueUrl: env.queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? '' })),
          }));
        }
      };
      const loops = Array.from({ length: LOOPS }, loop);
      const failed = Promise.all(loops).catch((error: unknown) => {
        console.error('raw loop failed:', error);
      });
      return {
        async stop() {
          abort.abort();
          await failed;
          client.destroy();
        },
      };
    },
  };
}

/**
 * The Sluice long-polling worker, as `sluice worker` runs it, with concurrency 50:
 * `minPollers`–`maxPollers` pollers (equal for a fixed count), long polls of `waitTimeSeconds`.
 */
export function sluiceWorkerRow(minPollers: number, maxPollers: number, waitTimeSeconds = 20): ConsumeRow {
  const pollers = minPollers === maxPollers ? `exactly ${minPollers} pollers` : `pollers ${minPollers}–${maxPollers}`;
  return {
    name: `Sluice worker (concurrency ${CONSUME_CONCURRENCY}, ${pollers}, WaitTimeSeconds ${waitTimeSeconds})`,
    config: `\`startWorker\` (what \`sluice worker\` runs): concurrency ${CONSUME_CONCURRENCY}, \`minPollers\` ${minPollers}, ` +
      `\`maxPollers\` ${maxPollers}, \`waitTimeSeconds\` ${waitTimeSeconds}${waitTimeSeconds === 20 ? ' (the default)' : ''}, every attribute requested (Lambda-shaped records), ` +
      'batches through `processBatch` (JSON body parsed), one `DeleteMessageBatch` per batch, heartbeat and Prometheus counters on',
    async start(env) {
      const client = countingClient(env);
      const worker = await startWorker({
        queueUrl: env.queueUrl,
        sqsClient: client,
        logger: false,
        concurrency: CONSUME_CONCURRENCY,
        minPollers,
        maxPollers,
        waitTimeSeconds,
        handler: sluiceWorkerHandler(() => work(env), { logger: false }),
      });
      return {
        async stop() {
          await worker.stop({ abort: true });
          client.destroy();
        },
      };
    },
  };
}

/** sqs-consumer: `LOOPS` consumers, each `handleMessageBatch` over 10 messages run in parallel. */
export function sqsConsumerRow(): ConsumeRow {
  return {
    name: `sqs-consumer (${LOOPS} consumers × batch ${BATCH}, handleMessageBatch)`,
    config: `${LOOPS} \`Consumer.create\` on one client, each \`batchSize\` 10, \`handleMessageBatch\` running the 10 in parallel and ` +
      'returning them (one `DeleteMessageBatch`), `pollingWaitTimeMs` 0, `waitTimeSeconds` 1, no attributes requested',
    async start(env) {
      const client = countingClient(env);
      let stopping = false;
      const consumers = Array.from({ length: LOOPS }, () => {
        const consumer = Consumer.create({
          queueUrl: env.queueUrl,
          sqs: client,
          batchSize: BATCH,
          waitTimeSeconds: 1,
          pollingWaitTimeMs: 0,
          handleMessageBatch: async (messages) => {
            await Promise.all(messages.map(() => work(env)));
            return messages;
          },
        });
        consumer.on('error', (error) => {
          if (!stopping) console.error('sqs-consumer error:', error.message);
        });
        consumer.on('processing_error', (error) => console.error('sqs-consumer processing error:', error.message));
        return consumer;
      });
      for (const c of consumers) c.start();
      return {
        async stop() {
          stopping = true;
          for (const c of consumers) c.stop({ abort: true });
          client.destroy();
        },
      };
    },
  };
}

/**
 * The event source mapping emulator: one mapping, `maxConcurrency` 5 × batch 10, invoking
 * a module handler (awaits 10 ms per record, all 10 in parallel) in warm execution
 * environments (worker threads), as `sluice dev` runs a function.
 */
export function emulatorRow(scratchDir: string): ConsumeRow {
  let invoker: LambdaInvoker | undefined;
  const assetDir = join(scratchDir, 'consume-fn');
  return {
    name: `event source mapping emulator (maxConcurrency ${LOOPS} × batch ${BATCH})`,
    config: `\`EsmEmulator\`: \`concurrency\` ${LOOPS}, \`batchSize\` 10, window 0, \`waitTimeSeconds\` 1 (its default), ` +
      `\`reportBatchItemFailures\`; \`LambdaInvoker\` with ${LOOPS} execution environments (worker threads), warmed before the clock, ` +
      `running \`index.handler\` = \`Promise.all\` of ${HANDLER_MS} ms per record, answering \`{ batchItemFailures: [] }\``,
    async prepare(endpoint, region) {
      mkdirSync(assetDir, { recursive: true });
      writeFileSync(join(assetDir, 'index.mjs'), [
        "import { setTimeout as sleep } from 'node:timers/promises';",
        `export const handler = async (event) => {`,
        `  await Promise.all(event.Records.map(() => sleep(${HANDLER_MS})));`,
        '  return { batchItemFailures: [] };',
        '};',
        '',
      ].join('\n'));
      invoker = new LambdaInvoker({
        fn: {
          name: 'consume-bench', arn: `arn:aws:lambda:${region}:000000000000:function:consume-bench`,
          assetDir, handler: 'index.handler', timeoutSeconds: 30, memoryMiB: 256, environment: {},
        },
        region, endpoint, maxEnvironments: LOOPS,
      });
      // Warm every execution environment (Lambda's steady state): LOOPS concurrent invocations spawn LOOPS of them.
      await Promise.all(Array.from({ length: LOOPS }, () => invoker!.invoke({ Records: [] })));
    },
    async close() {
      await invoker?.close();
    },
    async start(env) {
      const inv = invoker;
      if (inv === undefined) throw new Error('emulator row not prepared');
      const esm = new EsmEmulator({
        name: 'consume-bench',
        server: { endpoint: env.endpoint, region: env.region },
        queueUrl: env.queueUrl,
        queueArn: env.queueArn,
        batchSize: BATCH,
        concurrency: LOOPS,
        reportBatchItemFailures: true,
        invoke: (event) => inv.invoke(event),
      });
      esm.on('batch', (b) => {
        env.handled(b.size);
        env.deleted(b.deleted);
      });
      esm.on('error', (error, op) => console.error(`emulator ${op} error:`, error.message));
      esm.start();
      return {
        async stop() {
          await esm.stop(5_000);
        },
      };
    },
  };
}
