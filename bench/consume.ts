/**
 * The consume benchmark (issue 5): how fast each consumer drains N preloaded messages
 * from one embedded SQS server with the same 10 ms handler and 50 messages in flight.
 *
 * The server runs in a child process (`bench/sqs-server.ts`), so its CPU is on its own
 * core (the machine has 2) instead of on the event loop of the consumer under test, as
 * a real SQS endpoint would be. For each sample a row gets a fresh queue preloaded with
 * N messages (`SendMessageBatch`, 10 at a time); the clock runs from the consumer's
 * start until N handlers have completed and N messages are deleted; the queue is then
 * checked empty (nothing visible, nothing in flight). Rows are interleaved, rotating
 * which goes first, after one warm-up round.
 *
 * `node bench/consume.ts [--quick]` runs it alone and prints the section (no README change);
 * `npm run bench` includes it. Environment: `BENCH_CONSUME_N` (default 5000),
 * `BENCH_CONSUME_RUNS` (default 5).
 */
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { localClientConfig } from '../lib/local/index.ts';
import {
  CONSUME_CONCURRENCY, HANDLER_MS, emulatorRow, rawLoopRow, sluiceWorkerRow, sqsConsumerRow,
} from './consume-rows.ts';
import type { ConsumeRow, RowEnv } from './consume-rows.ts';
import { median } from './measure.ts';
import { fmt, table } from './report.ts';
import type { Verdict } from './report.ts';
import { startServerProcess } from './sqs-server.ts';
import type { ServerProcess } from './sqs-server.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const ROOT = new URL('..', import.meta.url).pathname;
/** Longest a sample may take before the run is declared stuck. */
const SAMPLE_TIMEOUT_MS = 120_000;

/** One drain of the queue. */
export interface ConsumeSample {
  readonly wallMs: number;
  /** CPU of this process (the consumer; the emulator's worker threads included), ms. */
  readonly consumerCpuMs: number;
  /** CPU of the server process, ms (10 ms resolution). */
  readonly serverCpuMs: number;
}

/** A row's samples and medians. */
export interface ConsumeSummary {
  /** The row (only its name and description survive the trip from a child process). */
  readonly row: Pick<ConsumeRow, 'name' | 'config'>;
  readonly samples: readonly ConsumeSample[];
  /** Messages per second, median over samples. */
  readonly rate: number;
  readonly rateMin: number;
  readonly rateMax: number;
  readonly wallMs: number;
  /** CPU per message, µs (medians). */
  readonly consumerCpuUs: number;
  readonly serverCpuUs: number;
}

/** What the section needs. */
export interface ConsumeResult {
  readonly n: number;
  readonly runs: number;
  readonly summaries: readonly ConsumeSummary[];
  readonly loadStart: number;
  readonly loadEnd: number;
}

let queueCounter = 0;

async function freshQueue(sqs: SQSClient, n: number): Promise<{ queueUrl: string; queueArn: string }> {
  queueCounter += 1;
  const created = await sqs.send(new CreateQueueCommand({ QueueName: `consume-${process.pid}-${queueCounter}`, Attributes: { VisibilityTimeout: '60' } }));
  const queueUrl = created.QueueUrl!;
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const body = (i: number): string => JSON.stringify({ n: i, userId: `user-${i}`, email: `user-${i}@example.com`, plan: 'pro' });
  let next = 0;
  const sender = async (): Promise<void> => {
    while (next < n) {
      const start = next;
      next = Math.min(n, next + 10);
      const entries = Array.from({ length: next - start }, (_, j) => ({ Id: `e${j}`, MessageBody: body(start + j) }));
      const out = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
      if ((out.Failed?.length ?? 0) > 0) throw new Error(`preload: ${out.Failed!.length} sends failed`);
    }
  };
  await Promise.all(Array.from({ length: 8 }, sender));
  return { queueUrl, queueArn: attrs.Attributes?.QueueArn ?? '' };
}

async function depth(sqs: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const out = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return { visible: Number(out.Attributes?.ApproximateNumberOfMessages ?? -1), inFlight: Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? -1) };
}

/** Preloads a fresh queue, runs the row until N are handled and deleted, checks the queue is empty. */
async function sample(row: ConsumeRow, server: ServerProcess, admin: SQSClient, n: number): Promise<ConsumeSample> {
  const { queueUrl, queueArn } = await freshQueue(admin, n);
  let handled = 0;
  let deleted = 0;
  let done!: () => void;
  let fail!: (error: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    done = resolve;
    fail = reject;
  });
  const check = (): void => {
    if (handled > n || deleted > n) fail(new Error(`${row.name}: ${handled} handled / ${deleted} deleted of ${n} (redelivery?)`));
    else if (handled === n && deleted === n) done();
  };
  const env: RowEnv = {
    endpoint: server.endpoint, region: server.region, queueUrl, queueArn,
    handled: (count) => { handled += count; check(); },
    deleted: (count) => { deleted += count; check(); },
  };
  gc();
  const serverCpu0 = await server.cpuMs();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const running = await row.start(env);
  const timer = setTimeout(() => fail(new Error(`${row.name}: stuck at ${handled} handled / ${deleted} deleted of ${n}`)), SAMPLE_TIMEOUT_MS);
  try {
    await finished;
  } finally {
    clearTimeout(timer);
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const serverCpuMs = (await server.cpuMs()) - serverCpu0;
  await running.stop();
  const left = await depth(admin, queueUrl);
  if (left.visible !== 0 || left.inFlight !== 0) throw new Error(`${row.name}: queue not empty after the run: ${JSON.stringify(left)}`);
  await admin.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
  return { wallMs, consumerCpuMs: (cpu.user + cpu.system) / 1000, serverCpuMs };
}

/**
 * The rows, the plain loop first: the worker with exactly 5 pollers and 1 s long polls
 * (the shape of the loop) is the one the targets compare; `quick` leaves out the
 * informational rows (the worker with scaling pollers, sqs-consumer, the emulator).
 */
export function consumeRows(quick = false): ConsumeRow[] {
  const core = [rawLoopRow(), sluiceWorkerRow(5, 5, 1)];
  return quick ? core : [...core, sluiceWorkerRow(5, 10), sqsConsumerRow(), emulatorRow(join(ROOT, '.sluice', 'bench'))];
}

/**
 * Runs every row `runs` times (interleaved, after one warm-up round) on one server process.
 */
export async function measureConsume(n = 5000, runs = 5, rows = consumeRows()): Promise<ConsumeResult> {
  const loadStart = loadavg()[0]!;
  const server = await startServerProcess();
  const admin = new SQSClient(localClientConfig(server));
  try {
    for (const row of rows) await row.prepare?.(server.endpoint, server.region);
    for (const row of rows) await sample(row, server, admin, n);
    const samples = rows.map((): ConsumeSample[] => []);
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < rows.length; k++) {
        const j = (k + r) % rows.length;
        samples[j]!.push(await sample(rows[j]!, server, admin, n));
      }
    }
    const summaries = rows.map((row, j): ConsumeSummary => {
      const s = samples[j]!;
      const rates = s.map((x) => (n * 1000) / x.wallMs);
      return {
        row, samples: s,
        rate: median(rates), rateMin: Math.min(...rates), rateMax: Math.max(...rates),
        wallMs: median(s.map((x) => x.wallMs)),
        consumerCpuUs: (median(s.map((x) => x.consumerCpuMs)) * 1000) / n,
        serverCpuUs: (median(s.map((x) => x.serverCpuMs)) * 1000) / n,
      };
    });
    return { n, runs, summaries, loadStart, loadEnd: loadavg()[0]! };
  } finally {
    for (const row of rows) await row.close?.();
    admin.destroy();
    await server.stop();
  }
}

const find = (result: ConsumeResult, prefix: string): ConsumeSummary | undefined => result.summaries.find((x) => x.row.name.startsWith(prefix));

const rateOf = (n: number) => (x: ConsumeSample): number => (n * 1000) / x.wallMs;

/** The markdown section and the verdicts of the consume targets. */
export function consumeReport(result: ConsumeResult): { markdown: string; verdicts: Verdict[] } {
  const loop = find(result, 'raw loop')!;
  const worker = find(result, 'Sluice worker (concurrency 50, exactly 5')!;
  const consumer = find(result, 'sqs-consumer');
  const emulator = find(result, 'event source mapping');
  const idealRate = (CONSUME_CONCURRENCY * 1000) / HANDLER_MS;
  const rate = rateOf(result.n);
  // Per round: the worker's rate over the loop's, and its CPU per message over the loop's.
  const rateRatios = worker.samples.map((x, r) => rate(x) / rate(loop.samples[r]!));
  const cpuRatios = worker.samples.map((x, r) => x.consumerCpuMs / loop.samples[r]!.consumerCpuMs);
  const lines = [
    `### Consume throughput (embedded SQS)\n`,
    `N = ${result.n.toLocaleString('en-US')} messages preloaded on a fresh queue per sample; handler awaits ${HANDLER_MS} ms per message; ` +
      `${CONSUME_CONCURRENCY} messages in flight at most in every row. The embedded server (fauxqs) runs in a child process on 127.0.0.1, so its ` +
      'CPU does not share the event loop of the consumer under test; the clock runs from the consumer\'s start until all N handlers completed and ' +
      `all N messages were deleted (the queue is then checked empty). Median of ${result.runs} rounds (every row once per round, rotating the first) ` +
      `after one warm-up round; the handler alone would allow ${fmt(idealRate, 0)} messages/s (${CONSUME_CONCURRENCY} / ${HANDLER_MS} ms). ` +
      'Consumer CPU is `process.cpuUsage()` of the consumer process (user + system, all threads) over the same window. ' +
      `Load average ${fmt(result.loadStart, 2)} before, ${fmt(result.loadEnd, 2)} after.\n`,
    table(
      ['row', 'messages/s (median)', 'min – max', 'wall ms (median)', 'vs plain loop', 'consumer CPU µs/msg', 'server CPU µs/msg'],
      result.summaries.map((s) => [
        s.row.name, fmt(s.rate, 0), `${fmt(s.rateMin, 0)} – ${fmt(s.rateMax, 0)}`, fmt(s.wallMs, 0),
        `${fmt(s.rate / loop.rate, 3)}×`, fmt(s.consumerCpuUs, 0), fmt(s.serverCpuUs, 0),
      ]),
    ),
    '',
    ...result.summaries.map((s) => `- ${s.row.name}: ${s.row.config}.`),
    '',
    'Notes:',
    '',
    '- The plain loop, sqs-consumer and each emulator lane run receive → handle → delete in series, so every 10 messages cost a receive, ' +
      `~${HANDLER_MS} ms and a delete. The worker frees a batch's concurrency slots as soon as its handler is done, so the next receive ` +
      'overlaps the delete (at most `concurrency` messages wait on deletes); that is how it passes the plain loop with the same 5 pollers.',
    '- sqs-consumer schedules each next poll with `setTimeout(pollingWaitTimeMs)`, at least 1 ms even at 0, and emits events per message.',
    `- Both rows make the same SDK calls (1 receive and 1 DeleteMessageBatch per 10 messages); the consumer's CPU is mostly the AWS SDK and ` +
      '`node:http` (serialising, SigV4, parsing). The worker also asks for every attribute (Lambda-shaped records), parses each body and ' +
      `runs \`processBatch\`. In this run it used ${fmt(worker.consumerCpuUs, 0)} µs per message (the plain loop ${fmt(loop.consumerCpuUs, 0)}), ` +
      `i.e. ${fmt((worker.rate * worker.consumerCpuUs) / 1e4, 0)}% of a core at ${fmt(worker.rate, 0)} messages/s; CPU rather than the ` +
      `${HANDLER_MS} ms handler keeps every row below the handler-only rate on this 2-core machine.`,
  ];
  const spread = (v: readonly number[]): string => `${fmt(Math.min(...v), 3)}–${fmt(Math.max(...v), 3)}`;
  const verdicts: Verdict[] = [
    {
      target: 'worker (exactly 5 pollers, WaitTimeSeconds 1) ≥ 1.1 × the plain loop, messages/s',
      measured: `${fmt(worker.rate, 0)} vs ${fmt(loop.rate, 0)} msg/s; per round ${fmt(median(rateRatios), 3)}× (${spread(rateRatios)})`,
      pass: median(rateRatios) >= 1.1,
    },
    {
      target: 'worker consumer CPU per message ≤ the plain loop\'s',
      measured: `${fmt(worker.consumerCpuUs, 0)} vs ${fmt(loop.consumerCpuUs, 0)} µs/msg; per round ${fmt(median(cpuRatios), 3)}× (${spread(cpuRatios)})`,
      pass: median(cpuRatios) <= 1,
    },
  ];
  if (consumer !== undefined) {
    verdicts.push({
      target: 'worker ≥ 1.1 × sqs-consumer (earlier target)',
      measured: `${fmt(worker.rate, 0)} vs ${fmt(consumer.rate, 0)} msg/s = ${fmt(worker.rate / consumer.rate, 3)}×`,
      pass: worker.rate >= 1.1 * consumer.rate,
    });
  }
  if (emulator !== undefined) {
    verdicts.push({
      target: 'emulator ≥ 0.9 × the plain loop (earlier target, informational)',
      measured: `${fmt(emulator.rate, 0)} vs ${fmt(loop.rate, 0)} msg/s = ${fmt(emulator.rate / loop.rate, 3)}×`,
      pass: emulator.rate >= 0.9 * loop.rate,
    });
  }
  return { markdown: lines.join('\n'), verdicts };
}

/**
 * Runs {@link measureConsume} in a fresh `node bench/consume.ts --json` process, so the
 * consumers under test share their process with nothing else (no heap or JIT state of
 * the other benchmarks).
 */
export async function measureConsumeInChild(n: number, runs: number, quick: boolean): Promise<ConsumeResult> {
  const { execFile } = await import('node:child_process');
  const args = [new URL(import.meta.url).pathname, '--json', ...(quick ? ['--quick'] : [])];
  const env = { ...process.env, BENCH_CONSUME_N: String(n), BENCH_CONSUME_RUNS: String(runs) };
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, args, { env, maxBuffer: 16 * 1024 * 1024 }, (error, out, err) => (error ? reject(new Error(`${error.message}\n${err}`)) : resolve(out)));
  });
  const line = stdout.split('\n').find((l) => l.startsWith('@@consume '));
  if (line === undefined) throw new Error(`consume child printed no result: ${stdout.slice(0, 500)}`);
  return JSON.parse(line.slice('@@consume '.length)) as ConsumeResult;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const quick = process.argv.includes('--quick');
  const result = await measureConsume(Number(process.env.BENCH_CONSUME_N ?? 5000), Number(process.env.BENCH_CONSUME_RUNS ?? 5), consumeRows(quick));
  if (process.argv.includes('--json')) {
    const plain = { ...result, summaries: result.summaries.map((s) => ({ ...s, row: { name: s.row.name, config: s.row.config } })) };
    process.stdout.write(`@@consume ${JSON.stringify(plain)}\n`);
    process.exit(0);
  }
  const { markdown, verdicts } = consumeReport(result);
  console.log(markdown);
  for (const v of verdicts) console.log(`${v.pass ? 'PASS' : 'FAIL'}  ${v.target}: ${v.measured}`);
  console.log(`\n${cpus().length} cores, Node ${process.version}`);
}
