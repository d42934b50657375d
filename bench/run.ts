/**
 * `npm run bench`: the batch benchmark (no-op and 5 ms I/O handlers over one 10,000-record
 * event of full SNS envelopes), the bundles and cold starts (esbuild bundles, fresh
 * processes) and the consume benchmark on the embedded SQS server (`bench/consume.ts`),
 * printed as markdown with a PASS/FAIL verdict per target, and written to the README's
 * `## Performance` section.
 *
 * Every part runs its rows interleaved round by round (each round samples every row once,
 * rotating which goes first) and compares rows within the run: medians over the rounds,
 * the spread (min–max) beside them, and ratios taken round by round.
 *
 * `--quick`: 5–7 rounds, fewer cold processes, 2,000 consume messages, only the
 * rows the targets compare, and the README left alone.
 *
 * Environment: `BENCH_RUNS` (no-op rounds, default 25), `BENCH_IO_RUNS` (I/O rounds, default
 * 7), `BENCH_COLD_RUNS` (processes per bundle, default 25), `BENCH_CONSUME_N` (messages per
 * consume sample, default 5000), `BENCH_CONSUME_RUNS` (consume rounds, default 7; 5 with --quick),
 * `BENCH_NO_README=1` to leave the README alone.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { COLD_ENTRIES, measureColdStarts } from './cold-start.ts';
import type { ColdSummary } from './cold-start.ts';
import { consumeReport, measureConsumeInChild } from './consume.ts';
import { buildInput } from './fixtures.ts';
import { measureRows, median, roundRatios } from './measure.ts';
import type { Sample, Summary } from './measure.ts';
import { fmt, table, verdictLines, verdictTable, writeReadmeSection } from './report.ts';
import type { Verdict } from './report.ts';
import { ioRows, noopRows, parserRows } from './rows.ts';

const QUICK = process.argv.includes('--quick');
const N = 10_000;
const CONCURRENCY = 50;
const IO_MS = 5;
const atLeast5 = (name: string, fallback: number): number => Math.max(5, Number(process.env[name] ?? fallback));
const RUNS = atLeast5('BENCH_RUNS', QUICK ? 7 : 25);
const IO_RUNS = atLeast5('BENCH_IO_RUNS', QUICK ? 5 : 7);
const COLD_RUNS = atLeast5('BENCH_COLD_RUNS', QUICK ? 7 : 25);
const CONSUME_N = Number(process.env.BENCH_CONSUME_N ?? (QUICK ? 2000 : 5000));
const CONSUME_RUNS = atLeast5('BENCH_CONSUME_RUNS', QUICK ? 5 : 7);
const KIB = 1024;
const ROOT = new URL('..', import.meta.url).pathname;

const out: string[] = [];
const emit = (s: string): void => {
  console.log(s);
  out.push(s);
};

const find = <T extends { row?: { name: string }; bundle?: { entry: { name: string } } }>(rows: readonly T[], prefix: string): T => {
  const s = rows.find((x) => (x.row?.name ?? x.bundle?.entry.name ?? '').startsWith(prefix));
  if (s === undefined) throw new Error(`no row ${prefix}`);
  return s;
};
const spread = (v: readonly number[], digits = 2): string => `${fmt(Math.min(...v), digits)}–${fmt(Math.max(...v), digits)}`;
const passing = (v: readonly number[], ok: (x: number) => boolean): string => `${v.filter(ok).length}/${v.length} rounds`;
const cpuOf = (s: Sample): number => s.cpuUs;
const wallOf = (s: Sample): number => s.wallMs;

const startLoad = loadavg();
const input = buildInput(N);
const verdicts: Verdict[] = [];

// (a) No-op handler: CPU per record.
const noop = await measureRows(noopRows(CONCURRENCY, QUICK), input, QUICK ? 2 : 3, RUNS);
const loop = find(noop, 'floor');
// The parser row in a pass of its own, with the loop again for its ratio.
const parser = QUICK ? [] : await measureRows(parserRows(), input, 2, RUNS);
const same = find(noop, 'Sluice sqsHandler, same');
const builtIn = find(noop, 'Sluice sqsHandler, built-in');
const us = (v: number): number => v / N;
emit(`### (a) No-op handler: CPU per record (N = ${N.toLocaleString('en-US')}, full SNS envelopes, every 10th poison; ${RUNS} rounds after warm-up)\n`);
emit(table(
  ['row', 'CPU µs/record (median)', 'min – max', 'vs plain loop (per round, median)', 'per-round range', 'wall ms (median)'],
  [...noop, ...parser.slice(1)].map((s) => {
    const r = roundRatios(s, noop.includes(s) ? loop : parser[0]!, cpuOf);
    return [
      s.row.name + (s.row.note && !s.row.note.startsWith('unbounded') ? ` (${s.row.note})` : ''),
      fmt(us(s.cpuUs.median), 2), `${fmt(us(s.cpuUs.min), 2)} – ${fmt(us(s.cpuUs.max), 2)}`,
      `${fmt(median(r), 3)}×`, spread(r, 3), fmt(s.wallMs.median),
    ];
  }),
));
if (parser.length > 0) emit('\nThe Powertools + parser row ran in a pass of its own (with the plain loop again, for its ratio): its garbage would weigh on whichever row follows it.');
{
  const r = roundRatios(same, loop, cpuOf);
  verdicts.push({
    target: 'no-op CPU/record: Sluice (same record handler) ≤ 1.3 × the plain loop',
    measured: `${fmt(us(same.cpuUs.median), 2)} vs ${fmt(us(loop.cpuUs.median), 2)} µs; per round ${fmt(median(r), 3)}× (${spread(r, 3)}; ${passing(r, (x) => x <= 1.3)})`,
    pass: median(r) <= 1.3,
  });
  for (const peer of ['Powertools BatchProcessor, parallel', 'middy + Promise.allSettled', 'middy + p-limit']) {
    const p = find(noop, peer);
    const q = roundRatios(same, p, cpuOf);
    verdicts.push({
      target: `no-op CPU/record: Sluice (same record handler) ≤ ${p.row.name}`,
      measured: `${fmt(us(same.cpuUs.median), 2)} vs ${fmt(us(p.cpuUs.median), 2)} µs; per round ${fmt(median(q), 3)}× (${spread(q, 3)}; ${passing(q, (x) => x <= 1)})`,
      pass: median(q) <= 1,
    });
  }
  const pt = find(noop, 'Powertools BatchProcessor, parallel');
  const b = roundRatios(builtIn, pt, cpuOf);
  verdicts.push({
    target: 'no-op CPU/record: Sluice built-in decode ≤ Powertools parallel (earlier target)',
    measured: `${fmt(us(builtIn.cpuUs.median), 2)} vs ${fmt(us(pt.cpuUs.median), 2)} µs; per round ${fmt(median(b), 3)}× (${spread(b, 3)})`,
    pass: median(b) <= 1,
  });
}

// (b) 5 ms awaited I/O: wall time against the ideal and the bare-chain floor.
const idealMs = Math.ceil(N / CONCURRENCY) * IO_MS;
const validIdealMs = Math.ceil((N - input.poison.length) / CONCURRENCY) * IO_MS;
const io = await measureRows(ioRows(CONCURRENCY, IO_MS, QUICK), input, 1, IO_RUNS);
const chains = find(io, 'floor');
emit(`\n### (b) ${IO_MS} ms awaited I/O per record, concurrency ${CONCURRENCY}: wall time (${IO_RUNS} rounds after 1 warm-up)\n`);
emit(`Ideal \`ceil(N / C) × ${IO_MS} ms\` = ${idealMs} ms; poison records never reach the I/O, so the ideal for the ${(N - input.poison.length).toLocaleString('en-US')} valid ones is ${validIdealMs} ms.\n`);
emit(table(
  ['row', 'wall ms (median)', 'min – max', `vs ideal ${idealMs} ms`, 'vs 50 bare chains (per round, median)', 'per-round range', 'CPU ms (median)'],
  io.map((s) => {
    const r = roundRatios(s, chains, wallOf);
    return [
      s.row.name + (s.row.note ? ` (${s.row.note})` : ''),
      fmt(s.wallMs.median), `${fmt(s.wallMs.min)} – ${fmt(s.wallMs.max)}`, `${fmt(s.wallMs.median / idealMs, 3)}×`,
      `${fmt(median(r), 3)}×`, spread(r, 3), fmt(s.cpuUs.median / 1000),
    ];
  }),
));
for (const [label, row] of [['same record handler', find(io, 'Sluice sqsHandler, same')], ['built-in decode, informational', find(io, 'Sluice sqsHandler, built-in')]] as const) {
  const r = roundRatios(row, chains, wallOf);
  verdicts.push({
    target: `${IO_MS} ms I/O wall: Sluice (${label}) ≤ 1.02 × ${CONCURRENCY} bare chains of awaits`,
    measured: `${fmt(row.wallMs.median)} vs ${fmt(chains.wallMs.median)} ms; per round ${fmt(median(r), 3)}× (${spread(r, 3)}; ${passing(r, (x) => x <= 1.02)})`,
    pass: median(r) <= 1.02,
  });
}

// Bundles and cold start.
const cold = await measureColdStarts(COLD_RUNS, QUICK ? COLD_ENTRIES.filter((e) => e.kind === 'plain') : COLD_ENTRIES);
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
const plain = find(cold, 'Sluice, no schema');
const plainRuntime = plain.bundle.shares.get('lambda/runtime/') ?? 0;
verdicts.push({
  target: 'runtime share of a plain handler (no retry, no idempotency) ≤ 16 KiB',
  measured: `${plainRuntime.toLocaleString('en-US')} bytes = ${fmt(plainRuntime / KIB, 2)} KiB`,
  pass: plainRuntime <= 16 * KIB,
});
const registerUser = cold.find((c) => c.bundle.entry.name.startsWith('Sluice `register-user`'));
if (registerUser !== undefined) {
  const bytes = registerUser.bundle.shares.get('lambda/runtime/') ?? 0;
  verdicts.push({
    target: 'runtime share of the register-user bundle (retry + idempotency) ≤ 25 KiB (earlier target)',
    measured: `${bytes.toLocaleString('en-US')} bytes = ${fmt(bytes / KIB, 2)} KiB`,
    pass: bytes <= 25 * KIB,
  });
}

emit(`\n### Cold start: fresh \`node\` per sample, import + first invocation of a 10-record event, ${COLD_RUNS} rounds\n`);
emit('`user` rows: 1 poison (schema), 9 POSTs to a loopback server answering 201; `no schema, no I/O` rows: the same records, the poison\'s `Message` not JSON, a handler that does nothing.\n');
emit(table(
  ['handler', 'import ms', 'first invoke ms', 'import + invoke ms (median)', 'min – max', 'process wall ms'],
  cold.map((c) => [
    c.bundle.entry.name, fmt(c.importMs, 2), fmt(c.invokeMs, 2), fmt(c.totalMs, 2), `${fmt(c.totalMinMs, 2)} – ${fmt(c.totalMaxMs, 2)}`, fmt(c.processMs),
  ]),
));
{
  const total = (c: ColdSummary, r: number): number => c.samples[r]!.importMs + c.samples[r]!.invokeMs;
  const pt = find(cold, 'Powertools batch, no schema');
  const middy = find(cold, 'middy 7 + sqs-partial-batch-failure, no schema');
  const vsPt = plain.samples.map((_, r) => total(plain, r) / total(pt, r));
  const overMiddy = plain.samples.map((_, r) => total(plain, r) - total(middy, r));
  verdicts.push(
    {
      target: 'cold start, no schema, no I/O: Sluice ≤ Powertools batch',
      measured: `${fmt(plain.totalMs, 2)} vs ${fmt(pt.totalMs, 2)} ms; per round ${fmt(median(vsPt), 3)}× (${spread(vsPt, 3)})`,
      pass: median(vsPt) <= 1,
    },
    {
      target: 'cold start, no schema, no I/O: Sluice ≤ middy 7 + sqs-partial-batch-failure + 1 ms',
      measured: `${fmt(plain.totalMs, 2)} vs ${fmt(middy.totalMs, 2)} ms; per round +${fmt(median(overMiddy), 2)} ms (${spread(overMiddy, 2)})`,
      pass: median(overMiddy) <= 1,
    },
  );
}

// Consume throughput on the embedded SQS server.
const consume = consumeReport(await measureConsumeInChild(CONSUME_N, CONSUME_RUNS, QUICK));
emit(`\n${consume.markdown}`);
verdicts.push(...consume.verdicts);

const endLoad = loadavg();
emit('\n### Targets\n');
emit(verdictTable(verdicts));

emit(`
### Where the time went, and what changed (\`node --cpu-prof\`, \`node --prof\`, A/B runs of two copies of the runtime in one process)

- **The measurement itself.** The bench used to force a full GC before every sample. That deoptimized code holding weak
  references to the previous batch's objects (a shape of the message context made by adding properties, a per-batch clock
  closure: \`--trace-deopt\` showed \`messageContext\` and its callers thrown away after every GC) and left concurrent sweeping
  running into the next sample, so every row was charged for the row before it: the same Sluice row, measured twice in one run
  after two different rows, came out 0.7 µs/record apart. Samples now run back to back, as a warm Lambda runs batches, in a
  shuffled order each round (a fixed rotation gave every row the same predecessor); the two copies then agree within 1%.
- **No-op batch: what the row pays for is memory, not instructions.** Engine-only runs (no decode, the same
  10,000 records) put Sluice's own code at ~0.2–0.3 µs per record, yet the full row (decode + zod per record) was
  ~0.5 µs per record above a bare 50-chain pool under middy. The profiles of the two full rows show the user's decode costing the
  same in both, and Sluice's \`start\`/\`messageContext\` costing twice what they do engine-only: between two records the handler's
  own work evicts the cache, and the message context read \`record.attributes\` (for \`attempt\`) and \`record.messageAttributes\`
  (for \`attributes\`), two objects per record that nothing else touches, each a cache miss. Replacing them with constants in an A/B
  copy took ~7% off the row. **Changed:** \`ctx.attempt\` and \`ctx.attributes\` are getters worked out when read (\`attributes\` once),
  so a handler that reads neither never touches them (\`{ ...ctx }\` copies the other fields only: README "The runtime"); \`finish\`
  reads a record's \`messageId\` only to report it. \`node bench/ab.ts 48d8ed1\` (the runtime before this round's second pass against
  the working tree, interleaved in one process) printed 0.90× the old runtime's CPU per record, 1.30× the plain loop, beside
  middy + \`allSettled\` at 1.16×.
- **No-op batch, also changed:** the pool's lanes hand each pending record's promise their own two callbacks (made once per lane)
  instead of awaiting it in an async worker: no async frame to resume and no exception thrown into one for a rejection (engine-only
  A/B: ~30% less CPU per record; a 10-record \`processBatch\` ~18 µs instead of ~50); the pool resolves itself at the deadline (no
  race promise per batch); one pass over the records checks each, detects FIFO and marks \`messageId\` copies through an
  open-addressing table of indices keyed by a sampled fingerprint (~30 ns per record; the \`Set\` of ids was ~100); records are
  timed only when outcomes are built (\`processBatch\`, \`onFailure\`), not by \`sqsHandler\`; the partial-batch middleware no longer
  builds a debug line per failed record. **Kept:** the Lambda clock is read before each record starts (~45 ns: the
  \`lambdaContext({ now })\` test clock depends on it), and a context object per record. **Tried and not kept:** one object literal
  per context shape, and the optional fields set in the constructor (no difference beyond this machine's ±5% noise, and
  bytes); skipping the up-front pass altogether (an A/B hack) changed nothing measurable either. What is left between Sluice and the unbounded
  \`Promise.allSettled\` (~5–10%) is those kept features: the bounded pool alone runs level with \`allSettled\`.
- **5 ms I/O.** Follows from (a): 50 timers fire together, and each µs of CPU per record delays the round.
- **Worker.** Both rows make the same SDK calls (1 receive and 1 \`DeleteMessageBatch\` per 10 messages); the SDK and \`node:http\`
  are ~90% of the consumer's CPU and Sluice's own code ~5%. Refuted as costs: record conversion (\`toSqsRecord\`, ~0.1 µs per
  message; the MD5s are the SDK's checksum validation, which both rows pay), heartbeat bookkeeping (~0.2 µs; no renewal call in a
  run shorter than half the visibility timeout; its semantics unchanged: a received message stays invisible until deleted),
  histogram observations (~0.2 µs). Confirmed and removed: a prom-client registry with default metrics (a GC observer, an
  event-loop monitor) when no metrics server runs (no-op meters then), and slot accounting that woke every waiting poller on each
  release, each re-registering an abort listener: pollers now wait in line, one abort listener per worker. The worker's lead over
  the loop is its overlap of the delete with the next receive, and that overlap was half lost: the batch's \`DeleteMessageBatch\`
  was serialized and signed before the receive its freed slots had just woken, delaying the receive that starts the next batch.
  The delete now waits one event-loop turn (its messages stay invisible until it returns): ~1.06× → ~1.15× the loop in A/B runs.
- **Bundle.** Retry (+7.5 KiB), EMF metrics (+0.9 KiB) and \`onFailure\` (+1.1 KiB, with the outcome builder) are imports
  (\`retryPolicy\`, \`emfMetrics\`, \`notifyFailures\`); a plain handler carries none of them.
- **Cold start.** V8 compiles each function the first time it runs, so a cold process pays for the code it executes, and
  Powertools batch costs the same as middy + \`sqs-partial-batch-failure\`, which Sluice is built on: whatever Sluice does on
  top is cost above Powertools. Measured by rows (\`node bench/cold-only.ts\`, and the function events of
  \`node --log-function-events\`): the import of the 16 KiB runtime ~0.5 ms above middy's (pre-parsing costs ~25 µs per KiB, measured
  by appending unused code), building the handler (\`resolveOptions\`, the middy chain) ~0.3 ms, the first batch's engine path
  ~1.1 ms (about 40 functions compiled, none above ~0.15 ms: \`finish\`, the pool, \`validateOptions\`, \`BatchRun\`), and the default
  logger's two lines ~1.4 ms (against the \`logger: false\` row): the first write to the first stdio stream of a process costs
  ~1–1.5 ms (Node sets up its stream machinery on first use), the second stream ~0.1 ms. (The probe used to load \`node:http\` with
  \`import()\`, whose namespace reads every export and so loads undici and \`node:assert\`, which create \`process.stderr\`: the
  runtime's \`require('http')\` does none of that, and the probe now loads it the same way. That made the default row ~0.35 ms
  dearer and the others no different.) **Changed:** the logger's timestamp is built from the UTC fields (the first \`toISOString\` of a
  process costs ~0.25 ms, these ~0.04), a level below the logger's is a no-op function, and a body that is not JSON is parsed once
  (its position comes from the parser's own error). **Considered and not done:** writing log lines with \`fs.writeSync\` (~0.05 ms
  instead of ~1–1.5 ms for the first line, the largest single item left) bypasses \`process.stdout\`: worker threads (the local
  emulator) and any capture of the stream would lose the lines, and once anything opens \`process.stdout\` on a pipe the descriptor is
  non-blocking and a full pipe refuses the write; doing it safely (main thread in Lambda only, falling back to the stream for good on
  \`EAGAIN\`) is a change of the log transport to decide, not a tweak. Refuted: the EMF line (off by default) and lazy SQS client
  creation (only with \`retryPolicy\`, only for a record that needs a DLQ send or a visibility change).
- Figures move with machine load; rows are interleaved so load hits all of them.`);

const cpu = cpus();
const la = (l: number[]): string => l.map((x) => fmt(x, 2)).join(' / ');
const machine = `${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown CPU'}), ${fmt(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ` +
  `load average (1 / 5 / 15 min) ${la(startLoad)} at start and ${la(endLoad)} at the end`;
const intro = [
  `Measured with \`npm run bench\` (\`bench/run.ts\`) on ${machine}. ` +
    `Message: ~${Math.round(input.messageBytes)}-byte \`UserRegistered\` JSON in a full SNS envelope (~${Math.round(input.bodyBytes)}-byte SQS body: ` +
    '`Signature` of 344 characters, `SigningCertURL`, `UnsubscribeURL`, `MessageAttributes`). Every row of (a) and (b) decodes the envelope, ' +
    'parses and validates with the same rules (zod/mini through Standard Schema; classic zod for the parser row) and checks its ' +
    '`batchItemFailures` against the poison set; the "same record handler" Sluice row runs the peers\' own record handler (`envelope: \'none\'`, ' +
    '`body: \'text\'`, `handle` calls it with `ctx.record`). CPU is `process.cpuUsage()` (user + system, all threads, GC included).',
  '',
  'For iterating: `npm run bench -- --quick` (fewer rounds, the README left alone), `node bench/quick.ts [noop|io]` (the batch rows only), ' +
    '`node bench/cold-only.ts [runs]` (the no-schema cold rows only), `node bench/consume.ts` (the consume rows only) and ' +
    '`node bench/ab.ts <git-rev> [rounds]` (the runtime at a revision against the working tree, interleaved in one process).',
  '',
];
console.log(`\n${verdictLines(verdicts)}\n\n${machine}`);
if (process.env.BENCH_NO_README !== '1' && !QUICK) {
  writeReadmeSection(join(ROOT, 'README.md'), [...intro, ...out].join('\n'));
  console.log('README.md: ## Performance updated');
}
