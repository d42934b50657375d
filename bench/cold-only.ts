/**
 * `node bench/cold-only.ts [runs]`: only the no-schema cold-start rows (bundle + fresh
 * processes), for iterating on the runtime's import and first-invocation path.
 */
import { COLD_ENTRIES, measureColdStarts } from './cold-start.ts';

const runs = Number(process.argv[2] ?? 15);
const cold = await measureColdStarts(runs, COLD_ENTRIES.filter((e) => e.kind === 'plain'));
const total = (c: (typeof cold)[number], r: number): number => c.samples[r]!.importMs + c.samples[r]!.invokeMs;
const sluice = cold[0]!;
for (const c of cold) {
  const vs = c.samples.map((_, r) => total(sluice, r) - total(c, r)).sort((a, b) => a - b);
  console.log(`${c.bundle.entry.name.padEnd(58)} import ${c.importMs.toFixed(2)}  invoke ${c.invokeMs.toFixed(2)}  total ${c.totalMs.toFixed(2)}  Sluice − this per round (median) ${vs[vs.length >> 1]!.toFixed(2)} ms  runtime ${c.bundle.shares.get('lambda/runtime/') ?? 0} B`);
}
