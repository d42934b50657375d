/**
 * `npm run load [-- --messages 100000 --target worker|emulator|both --sample-ms 500]`:
 * sustained load on the worker and the ESM emulator with memory sampled; prints peak RSS
 * at 10k and at the full count, and steady-state RSS/heap growth (start vs end, after GC).
 * Exits 1 when RSS grows more than 10 %. Warm-up is the first `--warmup` share of the
 * messages (default 0.2); V8 grows its young generation under sustained allocation (up to
 * `--max-semi-space-size`), so RSS keeps rising for a while with a flat heap in use.
 */
import { parseArgs } from 'node:util';
import { runLoad, summarize } from './load-run.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    target: { type: 'string', default: 'both' },
    'sample-ms': { type: 'string', default: '500' },
    warmup: { type: 'string', default: '0.2' },
    json: { type: 'boolean', default: false },
  },
});
const messages = Number(values.messages);
const targets = values.target === 'both' ? (['worker', 'emulator'] as const) : [values.target as 'worker' | 'emulator'];
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
let failed = false;
for (const target of targets) {
  const result = await runLoad({ target, messages, sampleMs: Number(values['sample-ms']) });
  const marks = [10_000, messages].filter((m, i, all) => m <= messages && all.indexOf(m) === i);
  const s = summarize(result, marks, Number(values.warmup));
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...s, target, messages, durationMs: result.durationMs, duplicates: result.duplicates, samples: result.samples.length })}\n`);
  } else {
    const peaks = marks.map((m) => `peak RSS at ${m.toLocaleString('en')}: ${mib(s.peakRssAt[m]!)}`).join(', ');
    process.stdout.write(
      `${target}: ${messages.toLocaleString('en')} messages in ${(result.durationMs / 1000).toFixed(1)} s ` +
        `(${Math.round(messages / (result.durationMs / 1000))}/s), duplicates ${result.duplicates}, ${result.samples.length} samples\n` +
        `  ${peaks}\n` +
        `  steady state RSS ${mib(s.startRss)} → ${mib(s.endRss)} (${(s.rssGrowth * 100).toFixed(1)} %), ` +
        `heap ${mib(s.startHeap)} → ${mib(s.endHeap)} (${(s.heapGrowth * 100).toFixed(1)} %)\n`,
    );
  }
  if (!(s.rssGrowth <= 0.1)) failed = true;
}
process.exitCode = failed ? 1 : 0;
