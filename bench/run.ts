/**
 * `npm run bench`: the batch benchmark (no-op and 5 ms I/O handlers over one 10,000-record
 * SNS-in-SQS event), the cold-start benchmark (esbuild bundles, fresh processes) and the
 * consume benchmark on the embedded SQS server (`bench/consume.ts`: the Sluice worker vs
 * sqs-consumer vs a raw receive → delete-batch loop, and the event source mapping
 * emulator), printed as markdown with a verdict per target of issues 3 and 5, and written
 * to the README's `## Performance` section.
 *
 * Environment: `BENCH_RUNS` (batch samples per row, default 7), `BENCH_COLD_RUNS`
 * (processes per bundle, default 15), `BENCH_CONSUME_N` (messages per consume sample,
 * default 5000), `BENCH_CONSUME_RUNS` (consume samples per row, default 5),
 * `BENCH_NO_README=1` to leave the README alone.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { measureColdStarts } from './cold-start.ts';
import { consumeReport, measureConsume } from './consume.ts';
import type { ColdSummary } from './cold-start.ts';
import { buildInput } from './fixtures.ts';
import { measureRows } from './measure.ts';
import type { Summary } from './measure.ts';
import { fmt, table, verdictTable, writeReadmeSection } from './report.ts';
import type { Verdict } from './report.ts';
import { ioRows, noopRows } from './rows.ts';

const N = 10_000;
const CONCURRENCY = 50;
const IO_MS = 5;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const IO_RUNS = Math.max(3, Math.ceil(RUNS / 2) + 1);
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 15);
const KIB = 1024;
const ROOT = new URL('..', import.meta.url).pathname;

const out: string[] = [];
const emit = (s: string): void => {
  console.log(s);
  out.push(s);
};

const find = (summaries: readonly Summary[], prefix: string): Summary => {
  const s = summaries.find((x) => x.row.name.startsWith(prefix));
  if (s === undefined) throw new Error(`no row ${prefix}`);
  return s;
};

const startLoad = loadavg()[0]!;
const input = buildInput(N);
const verdicts: Verdict[] = [];

// (a) no-op handler: CPU per record.
const noop = await measureRows(noopRows(CONCURRENCY), input, 3, RUNS);
const floorA = find(noop, 'floor');
const us = (s: Summary, which: 'min' | 'median'): number => s.cpuUs[which] / N;
emit(`### (a) No-op handler: CPU per record (N = ${N.toLocaleString('en-US')}, every 10th poison, median of ${RUNS} after 3 warm-ups)\n`);
emit(table(
  ['row', 'CPU µs/record (median)', 'CPU µs/record (min)', 'wall ms (median)', 'wall ms (min)', 'CPU vs floor'],
  noop.map((s) => [
    s.row.name + (s.row.note && !s.row.note.startsWith('unbounded') ? ` (${s.row.note})` : ''),
    fmt(us(s, 'median'), 2), fmt(us(s, 'min'), 2), fmt(s.wallMs.median), fmt(s.wallMs.min),
    `${fmt(s.cpuUs.median / floorA.cpuUs.median, 2)}×`,
  ]),
));
const sluiceA = find(noop, 'Sluice');
const ptParallel = find(noop, 'Powertools BatchProcessor, parallel');
verdicts.push(
  {
    target: 'no-op CPU/record: Sluice ≤ Powertools parallel',
    measured: `${fmt(us(sluiceA, 'median'), 2)} vs ${fmt(us(ptParallel, 'median'), 2)} µs`,
    pass: sluiceA.cpuUs.median <= ptParallel.cpuUs.median,
  },
  {
    target: 'no-op CPU/record: Sluice ≤ 1.3 × floor',
    measured: `${fmt(us(sluiceA, 'median'), 2)} µs = ${fmt(sluiceA.cpuUs.median / floorA.cpuUs.median, 2)}× floor (${fmt(us(floorA, 'median'), 2)} µs)`,
    pass: sluiceA.cpuUs.median <= 1.3 * floorA.cpuUs.median,
  },
);

// (b) 5 ms awaited I/O: wall time against the ideal and the bare-chain floor.
const idealMs = Math.ceil(N / CONCURRENCY) * IO_MS;
const validIdealMs = Math.ceil((N - input.poison.length) / CONCURRENCY) * IO_MS;
const io = await measureRows(ioRows(CONCURRENCY, IO_MS), input, 1, IO_RUNS);
const floorB = find(io, 'floor');
emit(`\n### (b) ${IO_MS} ms awaited I/O per record, concurrency ${CONCURRENCY}: wall time (median of ${IO_RUNS} after 1 warm-up)\n`);
emit(`Ideal \`ceil(N / C) × ${IO_MS} ms\` = ${idealMs} ms; poison records never reach the I/O, so the ideal for the ${(N - input.poison.length).toLocaleString('en-US')} valid ones is ${validIdealMs} ms.\n`);
emit(table(
  ['row', 'wall ms (median)', 'wall ms (min)', `vs ideal ${idealMs} ms`, 'vs floor chains', 'CPU ms (median)'],
  io.map((s) => [
    s.row.name + (s.row.note ? ` (${s.row.note})` : ''),
    fmt(s.wallMs.median), fmt(s.wallMs.min), `${fmt(s.wallMs.median / idealMs, 3)}×`,
    `${fmt(s.wallMs.median / floorB.wallMs.median, 3)}×`, fmt(s.cpuUs.median / 1000),
  ]),
));
const sluiceB = find(io, 'Sluice');
verdicts.push({
  target: `${IO_MS} ms I/O wall: Sluice ≤ 1.02 × ${CONCURRENCY}-chain floor`,
  measured: `${fmt(sluiceB.wallMs.median)} vs ${fmt(floorB.wallMs.median)} ms = ${fmt(sluiceB.wallMs.median / floorB.wallMs.median, 3)}×`,
  pass: sluiceB.wallMs.median <= 1.02 * floorB.wallMs.median,
});

// Cold start.
const cold = await measureColdStarts(COLD_RUNS);
const sluiceBundle = cold[0]!.bundle;
const share = (c: ColdSummary, origin: (o: string) => boolean): number =>
  [...c.bundle.shares].filter(([o]) => origin(o)).reduce((sum, [, b]) => sum + b, 0);
emit(`\n### Bundles (esbuild: minify, ESM, platform node, target node24, \`@aws-sdk/*\` external; 1 KiB = 1,024 bytes)\n`);
emit(table(
  ['handler', 'bundle', 'gzip', 'Sluice runtime', 'zod', 'middy', 'Powertools'],
  cold.map((c) => [
    c.bundle.entry.name, `${fmt(c.bundle.bytes / KIB)} KiB`, `${fmt(c.bundle.gzipBytes / KIB)} KiB`,
    `${fmt(share(c, (o) => o === 'lambda/runtime/') / KIB)} KiB`, `${fmt(share(c, (o) => o === 'zod') / KIB)} KiB`,
    `${fmt(share(c, (o) => o.startsWith('@middy/')) / KIB)} KiB`,
    `${fmt(share(c, (o) => o.startsWith('@aws-lambda-powertools/') || o.startsWith('@aws/')) / KIB)} KiB`,
  ]),
));
const runtimeBytes = sluiceBundle.shares.get('lambda/runtime/') ?? 0;
verdicts.push(
  {
    target: 'runtime share of the register-user bundle ≤ 25 KiB',
    measured: `${runtimeBytes.toLocaleString('en-US')} bytes = ${fmt(runtimeBytes / KIB, 2)} KiB`,
    pass: runtimeBytes <= 25 * KIB,
  },
  {
    target: 'whole register-user bundle ≤ 40 KiB',
    measured: `${sluiceBundle.bytes.toLocaleString('en-US')} bytes = ${fmt(sluiceBundle.bytes / KIB, 2)} KiB`,
    pass: sluiceBundle.bytes <= 40 * KIB,
  },
);

const coldTable = (rows: readonly ColdSummary[]): string => {
  const ref = rows[rows.length - 1]!;
  return table(
    ['handler', 'import ms', 'first invoke ms', 'import + invoke ms', 'share of Powertools + parser', 'process wall ms'],
    rows.map((c) => [
      c.bundle.entry.name, fmt(c.importMs), fmt(c.invokeMs), fmt(c.totalMs), `${fmt(c.totalMs / ref.totalMs, 3)}`, fmt(c.processMs),
    ]),
  );
};
emit(`\n### Cold start: fresh \`node\` per sample, import + first invocation on a 10-record event (1 poison, 9 POSTs to a loopback server answering 201), median of ${COLD_RUNS}\n`);
emit(coldTable(cold));
const ptParser = cold[cold.length - 1]!;
verdicts.push(
  {
    target: 'register-user import + first invoke ≤ 1/8 of Powertools batch + parser',
    measured: `${fmt(cold[0]!.totalMs)} vs ${fmt(ptParser.totalMs)} ms = ${fmt(cold[0]!.totalMs / ptParser.totalMs, 3)} (limit 0.125)`,
    pass: cold[0]!.totalMs <= ptParser.totalMs / 8,
  },
  {
    target: 'import alone, register-user vs Powertools batch + parser (informational)',
    measured: `${fmt(cold[0]!.importMs)} vs ${fmt(ptParser.importMs)} ms = ${fmt(cold[0]!.importMs / ptParser.importMs, 3)} (limit 0.125)`,
    pass: cold[0]!.importMs <= ptParser.importMs / 8,
  },
);

// Consume throughput on the embedded SQS server (issue 5).
const consume = consumeReport(await measureConsume(Number(process.env.BENCH_CONSUME_N ?? 5000), Number(process.env.BENCH_CONSUME_RUNS ?? 5)));
emit(`\n${consume.markdown}`);
verdicts.push(...consume.verdicts);

emit('\n### Targets\n');
emit(verdictTable(verdicts));

emit(`
### Where Sluice's time goes (\`node --cpu-prof\` of the no-op row, this machine)

- Decode and validate, the same work as the floor: two \`JSON.parse\` per record (~2.4 µs) and zod/mini (~1 µs).
- The poison path: decode errors are built without a stack trace (\`withoutStack\`: they describe data, not code;
  capturing one cost ~2 µs per poison record), so a \`ValidationError\` with its issue list costs about what the
  floor's plain \`Error\` does.
- Per-record framework work the other rows skip: the message context, two \`performance.now()\` for
  \`durationMs\`, the deadline check, one \`Set\` operation for messageId dedupe, and middy's
  \`Object.entries(Records)\` in \`@middy/sqs-partial-batch-failure\`; \`sqsHandler\` builds the middleware's
  per-record entries directly (no outcome objects): together ~1 µs.
- Case (b) follows from (a): 50 timers fire together, so every µs of CPU per record delays each round
  (Sluice ${fmt(sluiceB.cpuUs.median / 1000)} ms CPU vs ${fmt(floorB.cpuUs.median / 1000)} ms for the floor chains in this run); the
  1.02× target sits within this machine's run-to-run spread (1.003–1.031× over a dozen runs of \`bench/quick.ts io\` and \`npm run bench\` this session).
- Bundle: the runtime is ~25 KiB, of which the retry features (issue 6: backoff, poison to the DLQ, circuit
  breaker, their option checks and SQS calls) are ~8 KiB; zod/mini with the \`UserRegistered\` schema is ~16 KiB
  and middy ~3.4 KiB, so \`register-user\` (which turns retry on) is ~46 KiB against the 40 KiB target.
- Cold start: the probe loads \`node:http\` before its clock, as the Lambda Node.js runtime's own client does before it
  imports a handler (~30 ms in a bare process). Even so, the first invocation's 9 loopback POSTs cost ~15–20 ms for
  every handler alike, so no handler that makes real calls reaches 1/8 of Powertools + parser's total, whatever its
  framework; import alone is the part a framework controls (~5 ms for \`register-user\` vs ~40 ms). The example
  handlers use \`node:http\`, not \`fetch\`: a process's first \`fetch\` initialises undici (~60–100 ms here).
- Figures move with machine load (other processes ran during this run); rows are interleaved so load hits all of them.`);

const cpu = cpus();
const machine = `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${fmt(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ` +
  `load average ${fmt(startLoad, 2)} at start and ${fmt(loadavg()[0]!, 2)} at the end`;
const intro = [
  `Measured with \`npm run bench\` (\`bench/run.ts\`) on ${machine}. ` +
    `Message: ~${Math.round(input.messageBytes)}-byte \`UserRegistered\` JSON in an SNS envelope (~${Math.round(input.bodyBytes)}-byte SQS body); every row decodes the envelope, parses and ` +
    `validates with the same rules (zod/mini through Standard Schema; classic zod for the parser row) and checks its \`batchItemFailures\` against the poison set. ` +
    'CPU is `process.cpuUsage()` (user + system, all threads, GC included) with a forced GC before each sample; rows are interleaved.',
  '',
];
console.log(`\n${machine}`);
if (process.env.BENCH_NO_README !== '1') {
  writeReadmeSection(join(ROOT, 'README.md'), [...intro, ...out].join('\n'));
  console.log('README.md: ## Performance updated');
}
