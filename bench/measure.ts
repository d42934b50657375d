/**
 * Timing helpers: a forced GC between samples, CPU (`process.cpuUsage`, user + system,
 * every thread) and wall time around one invocation, min and median over samples.
 */
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { lambdaContext } from '../lambda/runtime/testing.ts';
import { checkFailures } from './fixtures.ts';
import type { BenchInput } from './fixtures.ts';
import type { Row } from './rows.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** One invocation's cost. */
export interface Sample {
  readonly cpuUs: number;
  readonly wallMs: number;
}

/** Min and median of a row's samples. */
export interface Summary {
  readonly row: Row;
  readonly samples: readonly Sample[];
  readonly cpuUs: { readonly min: number; readonly median: number };
  readonly wallMs: { readonly min: number; readonly median: number };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs the row once on the event and checks its `batchItemFailures` against the poison set. */
export async function sample(row: Row, input: BenchInput): Promise<Sample> {
  const context = lambdaContext({ timeoutMs: 900_000, functionName: 'sluice-bench' });
  gc();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const response = await row.invoke(input.event, context);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  checkFailures(row.name, response?.batchItemFailures, input.poison);
  return { cpuUs: cpu.user + cpu.system, wallMs };
}

/**
 * Warms every row up, then takes `runs` samples of each, interleaving the rows (and
 * rotating which goes first) so drift in the machine spreads over all of them.
 */
export async function measureRows(rows: readonly Row[], input: BenchInput, warmup: number, runs: number): Promise<Summary[]> {
  for (let w = 0; w < warmup; w++) for (const row of rows) await sample(row, input);
  const samples = rows.map((): Sample[] => []);
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < rows.length; k++) {
      const j = (k + r) % rows.length;
      samples[j]!.push(await sample(rows[j]!, input));
    }
  }
  return rows.map((row, j) => {
    const s = samples[j]!;
    const cpu = s.map((x) => x.cpuUs);
    const wall = s.map((x) => x.wallMs);
    return {
      row,
      samples: s,
      cpuUs: { min: Math.min(...cpu), median: median(cpu) },
      wallMs: { min: Math.min(...wall), median: median(wall) },
    };
  });
}
