/**
 * Timing helpers: CPU (`process.cpuUsage`, user + system, every thread) and wall time
 * around one invocation; median, min and max over samples taken round by round.
 *
 * No GC is forced between samples: the rows run back to back as a warm Lambda runs
 * batches, and each pays for the garbage collection its own allocation causes. A forced
 * full GC before each sample (this bench's old method) measured something else: it
 * deoptimizes code holding weak references to the previous batch's objects and leaves
 * concurrent sweeping running into the next sample, so each row was charged for the row
 * before it (the same Sluice row measured 0.7 µs/record apart depending on its
 * predecessor; without the forced GC the two copies agree).
 */
import { performance } from 'node:perf_hooks';
import { lambdaContext } from '../lambda/runtime/testing.ts';
import { checkFailures } from './fixtures.ts';
import type { BenchInput } from './fixtures.ts';
import type { Row } from './rows.ts';

/** One invocation's cost. */
export interface Sample {
  readonly cpuUs: number;
  readonly wallMs: number;
}

/** Median, smallest and largest of a row's samples. */
export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** A row's samples (one per round, in round order) and their statistics. */
export interface Summary {
  readonly row: Row;
  readonly samples: readonly Sample[];
  readonly cpuUs: Stat;
  readonly wallMs: Stat;
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median, min and max of `values`. */
export function stat(values: readonly number[]): Stat {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** Runs the row once on the event and checks its `batchItemFailures` against the poison set. */
export async function sample(row: Row, input: BenchInput): Promise<Sample> {
  const context = lambdaContext({ timeoutMs: 900_000, functionName: 'sluice-bench' });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const response = await row.invoke(input.event, context);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  checkFailures(row.name, response?.batchItemFailures, input.poison);
  return { cpuUs: cpu.user + cpu.system, wallMs };
}

/**
 * The order of round `round`: a shuffle of `0..n-1` (seeded by the round, so every run uses
 * the same orders). A fixed rotation would give every row the same predecessor in every
 * round, and a row pays part of the GC work its predecessor's garbage causes.
 */
export function roundOrder(n: number, round: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let seed = (round + 1) * 0x9e3779b9;
  const random = (): number => {
    // mulberry32
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * Warms every row up, then takes `runs` rounds: each round samples every row once, in a
 * shuffled order ({@link roundOrder}), so drift in the machine and the GC work one row
 * leaves to the next spread over all of them. `samples[r]` of every row is from round `r`,
 * so ratios can be taken round by round.
 */
export async function measureRows(rows: readonly Row[], input: BenchInput, warmup: number, runs: number): Promise<Summary[]> {
  for (let w = 0; w < warmup; w++) for (const row of rows) await sample(row, input);
  const samples = rows.map((): Sample[] => []);
  for (let r = 0; r < runs; r++) {
    for (const j of roundOrder(rows.length, r)) samples[j]!.push(await sample(rows[j]!, input));
  }
  return rows.map((row, j) => {
    const s = samples[j]!;
    return { row, samples: s, cpuUs: stat(s.map((x) => x.cpuUs)), wallMs: stat(s.map((x) => x.wallMs)) };
  });
}

/** Per round, `a`'s value over `b`'s (both rows of one `measureRows` run). */
export function roundRatios(a: Summary, b: Summary, of: (s: Sample) => number): number[] {
  return a.samples.map((s, r) => of(s) / of(b.samples[r]!));
}
