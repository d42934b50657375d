/**
 * `node bench/quick.ts [noop|io]`: a quick A/B of the floor, Powertools parallel and
 * Sluice only, for iterating on the runtime's hot path (the full run is `npm run bench`).
 */
import { buildInput } from './fixtures.ts';
import { measureRows } from './measure.ts';
import { ioRows, noopRows } from './rows.ts';

const N = 10_000;
const which = process.argv[2] ?? 'noop';
const input = buildInput(N);
const pick = (name: string): boolean => name.startsWith('floor') || name.startsWith('Sluice') || name === 'Powertools BatchProcessor, parallel' || name.startsWith('middy');
const rows = (which === 'io' ? ioRows(50, 5) : noopRows(50)).filter((r) => pick(r.name));
const summaries = await measureRows(rows, input, 3, Number(process.env.BENCH_RUNS ?? 9));
const floor = summaries[0]!;
for (const s of summaries) {
  const metric = which === 'io' ? s.wallMs.median : s.cpuUs.median / N;
  const base = which === 'io' ? floor.wallMs.median : floor.cpuUs.median / N;
  console.log(`${s.row.name.padEnd(48)} ${metric.toFixed(2).padStart(9)} ${which === 'io' ? 'ms' : 'µs/rec'}  ${(metric / base).toFixed(3)}×  (min ${(which === 'io' ? s.wallMs.min : s.cpuUs.min / N).toFixed(2)})`);
}
