/**
 * Sustained load on a consumer (the worker or the ESM emulator) with memory sampled:
 * the server and producer run in a child process (`load-server.ts`), the consumer in this
 * one. Every `sampleMs` a full GC runs, then RSS and heap are recorded with the number of
 * messages processed so far. Processed messages are tracked in a fixed-size bitmap.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { EsmEmulator } from '../lib/local/emulator/index.ts';
import { sluiceWorkerHandler } from '../lib/worker/index.ts';
import { LambdaInvoker } from '../lib/local/emulator/index.ts';
import { startWorker } from '../lib/worker/index.ts';

/** Options of {@link runLoad}. */
export interface LoadOptions {
  readonly target: 'worker' | 'emulator';
  readonly messages: number;
  /** @default 500 */
  readonly sampleMs?: number;
  /** Messages kept waiting on the queue at most. @default 2000 */
  readonly backlog?: number;
}

/** One memory sample, taken after a full GC. */
export interface Sample {
  readonly ms: number;
  readonly processed: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  /** Memory of C++ objects bound to JS objects, Buffers included. */
  readonly external: number;
}

/** What a run measured. */
export interface LoadResult {
  readonly target: LoadOptions['target'];
  readonly messages: number;
  readonly durationMs: number;
  /** Messages processed more than once (redeliveries). */
  readonly duplicates: number;
  readonly samples: readonly Sample[];
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Bundles `load-handler.ts` as `cdk deploy` would (ESM, `@aws-sdk/*` external). */
async function bundleHandler(): Promise<string> {
  const outdir = mkdtempSync(join(tmpdir(), 'sluice-load-'));
  await build({
    entryPoints: [fileURLToPath(new URL('./load-handler.ts', import.meta.url))], bundle: true, platform: 'node',
    format: 'esm', target: 'node22', external: ['@aws-sdk/*'], outfile: join(outdir, 'index.mjs'), logLevel: 'silent',
  });
  return outdir;
}

interface ServerInfo { endpoint: string; region: string; queueUrl: string; queueArn: string; dlqUrl: string }

/** Runs the load to completion (every message processed once) and returns the samples. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { target, messages } = options;
  const child = spawn(process.execPath, [fileURLToPath(new URL('./load-server.ts', import.meta.url)), String(messages), String(options.backlog ?? 2000)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  if (first.done) throw new Error('load server exited before reporting its endpoint');
  const info = JSON.parse(first.value) as ServerInfo;
  const server = { endpoint: info.endpoint, region: info.region };

  const seen = new Uint8Array(messages);
  let processed = 0;
  let duplicates = 0;
  const mark = (body: string): void => {
    const n = (JSON.parse(body) as { n: number }).n;
    if (seen[n] === 1) duplicates += 1;
    else {
      seen[n] = 1;
      processed += 1;
    }
  };

  let stop: () => Promise<unknown>;
  if (target === 'worker') {
    const handler = sluiceWorkerHandler<unknown>((_m, ctx) => mark(ctx.record.body), { logger: false });
    const worker = await startWorker({ queueUrl: info.queueUrl, endpoint: info.endpoint, handler, logger: false, waitTimeSeconds: 1 });
    stop = () => worker.stop();
  } else {
    const assetDir = await bundleHandler();
    const invoker = new LambdaInvoker({
      fn: { name: 'load', arn: `arn:aws:lambda:${info.region}:000000000000:function:load`, assetDir, handler: 'index.handler', timeoutSeconds: 30, memoryMiB: 256, environment: {} },
      region: info.region, endpoint: info.endpoint, maxEnvironments: 5,
    });
    const emulator = new EsmEmulator({
      name: 'load', server, queueUrl: info.queueUrl, queueArn: info.queueArn, reportBatchItemFailures: true, concurrency: 5,
      invoke: async (event) => {
        const result = await invoker.invoke(event);
        const failures = result.outcome.status === 'returned' ? result.outcome.payload : 'failed';
        if (failures === '{"batchItemFailures":[]}') for (const r of event.Records) mark(r.body);
        return result;
      },
    });
    emulator.start();
    stop = async () => {
      await emulator.stop();
      await invoker.close();
    };
  }

  const started = Date.now();
  const samples: Sample[] = [];
  const sample = (): void => {
    gc();
    const m = process.memoryUsage();
    samples.push({ ms: Date.now() - started, processed, rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external });
  };
  const sampleMs = options.sampleMs ?? 500;
  try {
    while (processed < messages) {
      await new Promise((r) => setTimeout(r, Math.min(sampleMs, 100)));
      if (samples.length === 0 || Date.now() - started - samples.at(-1)!.ms >= sampleMs) sample();
      if (child.exitCode !== null) throw new Error(`load server exited with ${child.exitCode}`);
    }
    sample();
  } finally {
    await stop();
    child.kill('SIGTERM');
  }
  return { target, messages, durationMs: Date.now() - started, duplicates, samples };
}

const median = (values: number[]): number => {
  const s = values.toSorted((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.floor(s.length / 2)]!;
};

/** Steady-state comparison: medians of the samples just after warm-up and of the last ones. */
export interface MemorySummary {
  readonly peakRss: number;
  /** Highest RSS while at most `mark` messages were processed, per mark. */
  readonly peakRssAt: Record<number, number>;
  readonly startRss: number;
  readonly endRss: number;
  readonly startHeap: number;
  readonly endHeap: number;
  /** `endRss / startRss - 1`. */
  readonly rssGrowth: number;
  readonly heapGrowth: number;
}

/**
 * Summarizes samples: warm-up is the first `warmupShare` of the messages; the start window
 * is the next `windowShare`, the end window the last `windowShare`.
 */
export function summarize(result: LoadResult, marks: readonly number[] = [], warmupShare = 0.1, windowShare = 0.2): MemorySummary {
  const { samples, messages } = result;
  const warm = messages * warmupShare;
  const startWindow = samples.filter((s) => s.processed >= warm && s.processed <= warm + messages * windowShare);
  const endWindow = samples.filter((s) => s.processed >= messages * (1 - windowShare));
  const startRss = median(startWindow.map((s) => s.rss));
  const endRss = median(endWindow.map((s) => s.rss));
  const startHeap = median(startWindow.map((s) => s.heapUsed));
  const endHeap = median(endWindow.map((s) => s.heapUsed));
  const peakRssAt: Record<number, number> = {};
  for (const mark of marks) peakRssAt[mark] = Math.max(...samples.filter((s) => s.processed <= mark).map((s) => s.rss));
  return {
    peakRss: Math.max(...samples.map((s) => s.rss)), peakRssAt, startRss, endRss, startHeap, endHeap,
    rssGrowth: endRss / startRss - 1, heapGrowth: endHeap / startHeap - 1,
  };
}
