/**
 * Shared setup of the local-runtime integration tests: bundles fixture handlers with
 * esbuild (like `cdk deploy` does), provisions a queue (+ DLQ) from a hand-written model
 * on the embedded server, and runs one event source mapping emulator over it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import type { SqsEvent } from '../../lambda/runtime/index.ts';
import { build } from 'esbuild';
import { localClientConfig } from '../../lib/local/index.ts';
import type { EmbeddedServer } from '../../lib/local/index.ts';
import { EsmEmulator } from '../../lib/local/emulator/index.ts';
import type { EsmEmulatorOptions } from '../../lib/local/emulator/index.ts';
import { LambdaInvoker } from '../../lib/local/emulator/index.ts';
import type { AppModel, QueueModel } from '../../lib/local/model/index.ts';
import { provisionApp, startEmbeddedServer } from '../../lib/local/index.ts';
import type { LocalQueue } from '../../lib/local/index.ts';
import { perFile } from './per-file.ts';

const bundles = new Map<string, Promise<string>>();

/** Bundles `test/fixtures/handlers/<name>.ts` to `<tmp>/index.mjs` (ESM, node), once per process; returns the directory. */
export function bundleFixture(name: string): Promise<string> {
  let dir = bundles.get(name);
  if (dir === undefined) {
    const outdir = mkdtempSync(join(tmpdir(), `sluice-fixture-${name}-`));
    const entry = fileURLToPath(new URL(`../fixtures/handlers/${name}.ts`, import.meta.url));
    dir = build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node22', outfile: join(outdir, 'index.mjs'), logLevel: 'silent' })
      .then(() => outdir);
    bundles.set(name, dir);
  }
  return dir;
}

export { waitFor } from './wait-for.ts';

let counter = 0;

/** A queue (+ DLQ) on the embedded server, the scripted function and an emulator over them. */
export interface EsmHarness {
  readonly sqs: SQSClient;
  readonly queue: LocalQueue;
  readonly dlq: LocalQueue;
  readonly emulator: EsmEmulator;
  /** The `invocation` lines the fixture handler wrote, in order. */
  readonly invocations: Invocation[];
  /** Every line the function wrote, in order. */
  readonly logs: string[];
  /** The function's invoker. */
  readonly invoker: LambdaInvoker;
  send(bodies: readonly (string | Omit<SendMessageBatchRequestEntry, 'Id'>)[]): Promise<string[]>;
  depth(which?: 'queue' | 'dlq'): Promise<{ visible: number; inFlight: number }>;
  stop(): Promise<void>;
}

/** What the scripted fixture logs per invocation. */
export interface Invocation {
  ids: string[];
  bodies: string[];
  groups: (string | null)[];
  receiveCounts: string[];
  records: Record<string, unknown>[];
  context: { functionName: string; memoryLimitInMB: string; awsRequestId: string; remainingMs: number };
  env: Record<string, string | null>;
}

/** Options of {@link startEsmHarness}. */
export interface HarnessOptions {
  readonly fifo?: boolean;
  readonly visibilityTimeoutSeconds?: number;
  readonly maxReceiveCount?: number;
  readonly timeoutSeconds?: number;
  readonly environment?: Record<string, string>;
  readonly mapping?: Partial<Pick<EsmEmulatorOptions, 'batchSize' | 'maxBatchingWindowSeconds' | 'concurrency' | 'reportBatchItemFailures' | 'filterPatterns'>>;
  /** Fixture handler under `test/fixtures/handlers`. @default 'scripted' */
  readonly fixture?: string;
  /** Sees each event before it is invoked. */
  readonly onInvoke?: (event: SqsEvent) => void;
}

/** Provisions a fresh queue + DLQ and builds (does not start) the emulator over the bundled scripted handler. */
export async function startEsmHarness(server: EmbeddedServer, options: HarnessOptions = {}): Promise<EsmHarness> {
  counter += 1;
  const suffix = options.fifo ? '.fifo' : '';
  const base = { stack: 'Test', fifo: options.fifo ?? false, contentBasedDeduplication: false };
  const dlqModel: QueueModel = { ...base, logicalId: `Dlq${counter}`, path: `Dlq${counter}`, name: `esm-dlq-${counter}${suffix}`, visibilityTimeoutSeconds: 30 };
  const queueModel: QueueModel = {
    ...base, logicalId: `Queue${counter}`, path: `Queue${counter}`, name: `esm-queue-${counter}${suffix}`,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds ?? 30,
    redrive: { deadLetterQueue: { stack: 'Test', logicalId: `Dlq${counter}` }, maxReceiveCount: options.maxReceiveCount ?? 5 },
  };
  const model: AppModel = { assemblyDir: '', topics: [], queues: [dlqModel, queueModel], subscriptions: [], functions: [], eventSourceMappings: [], templates: [] };
  const app = await provisionApp(model, server);
  const queue = app.queue(queueModel);
  const dlq = app.queue(dlqModel);
  const invocations: Invocation[] = [];
  const logs: string[] = [];
  const invoker = new LambdaInvoker({
    fn: {
      name: `scripted-${counter}`, arn: `arn:aws:lambda:${server.region}:000000000000:function:scripted-${counter}`,
      assetDir: await bundleFixture(options.fixture ?? 'scripted'), handler: 'index.handler',
      timeoutSeconds: options.timeoutSeconds ?? 5, memoryMiB: 128, environment: options.environment ?? {},
    },
    region: server.region, endpoint: server.endpoint, maxEnvironments: options.mapping?.concurrency ?? 2,
    onLog: (line) => {
      logs.push(line);
      try {
        const parsed = JSON.parse(line) as { invocation?: Invocation };
        if (parsed.invocation) invocations.push(parsed.invocation);
      } catch {
        // Not one of the fixture's JSON lines (e.g. the runtime's init error line).
      }
    },
  });
  const emulator = new EsmEmulator({
    name: `scripted-${counter}`, server, queueUrl: queue.url, queueArn: queue.arn,
    reportBatchItemFailures: true, concurrency: 2, ...options.mapping,
    invoke: (event) => {
      options.onInvoke?.(event);
      return invoker.invoke(event);
    },
  });
  const sqs = new SQSClient(localClientConfig(server));
  return {
    sqs, queue, dlq, emulator, invocations, logs, invoker,
    async send(bodies) {
      const ids: string[] = [];
      for (let i = 0; i < bodies.length; i += 10) {
        const entries = bodies.slice(i, i + 10).map((b, j) => ({ Id: `m${j}`, ...(typeof b === 'string' ? { MessageBody: b } : b) }));
        const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queue.url, Entries: entries }));
        const byId = new Map((result.Successful ?? []).map((s) => [s.Id, s.MessageId ?? '']));
        for (const e of entries) ids.push(byId.get(e.Id) ?? '');
      }
      return ids;
    },
    async depth(which = 'queue') {
      const result = await sqs.send(new GetQueueAttributesCommand({
        QueueUrl: which === 'queue' ? queue.url : dlq.url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }));
      return { visible: Number(result.Attributes?.ApproximateNumberOfMessages ?? 0), inFlight: Number(result.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0) };
    },
    async stop() {
      await emulator.stop();
      await invoker.close();
      sqs.destroy();
    },
  };
}

/** A test file's embedded server and the harnesses its tests start on it. */
export interface EsmHarnesses {
  /** The file's embedded server (started in `beforeAll`). */
  readonly server: EmbeddedServer;
  /** {@link startEsmHarness} on the file's server; the harness is stopped after the file's tests. */
  start(options?: HarnessOptions): Promise<EsmHarness>;
}

/**
 * For a test file of the emulator: starts one embedded server before its tests, and after
 * them stops every harness started through {@link EsmHarnesses.start}, then the server.
 */
export function useEsmHarnesses(): EsmHarnesses {
  const started: EsmHarness[] = [];
  const current = perFile('useEsmHarnesses', () => startEmbeddedServer({ port: 0 }), async (server) => {
    await Promise.all(started.map((h) => h.stop()));
    await server.stop();
  });
  return {
    get server() {
      return current();
    },
    async start(options) {
      const h = await startEsmHarness(current(), options);
      started.push(h);
      return h;
    },
  };
}
