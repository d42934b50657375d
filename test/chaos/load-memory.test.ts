/**
 * Load with memory sampled (issue 7), small version: the worker and the ESM emulator each
 * process a few thousand messages from a producer that keeps the queue busy; a full GC
 * runs before every sample. Asserts no unbounded growth without timing thresholds: the
 * heap in use after GC, compared between the window just after warm-up and the last
 * window, grows by less than 1 KiB per message processed in between (a leaked record,
 * event or receipt handle per message would exceed that). RSS is not asserted here: V8
 * grows its young generation under sustained allocation (bounded, not a leak), which
 * takes longer than a small run. `npm run load` reports RSS at 10k and 100k messages.
 */
import { describe, expect, it } from 'vitest';
import { runLoad, summarize } from '../../bench/load-run.ts';
import type { LoadResult } from '../../bench/load-run.ts';

const MESSAGES = 6000;

function perMessageHeapGrowth(result: LoadResult): number {
  const s = summarize(result, [], 0.1, 0.25);
  const windowMid = (from: number, to: number): number => {
    const inWindow = result.samples.filter((x) => x.processed >= from && x.processed <= to).map((x) => x.processed);
    return inWindow.length === 0 ? NaN : inWindow[Math.floor(inWindow.length / 2)]!;
  };
  const between = windowMid(MESSAGES * 0.75, MESSAGES) - windowMid(MESSAGES * 0.1, MESSAGES * 0.35);
  return (s.endHeap - s.startHeap) / Math.max(1, between);
}

describe('memory under sustained load', () => {
  it.each(['worker', 'emulator'] as const)('%s: heap after GC stays flat over a few thousand messages', async (target) => {
    const result = await runLoad({ target, messages: MESSAGES, sampleMs: 200, backlog: 1000 });
    expect(result.samples.at(-1)!.processed).toBe(MESSAGES);
    expect(result.duplicates).toBe(0);
    const growth = perMessageHeapGrowth(result);
    expect(Number.isFinite(growth), 'enough samples in both windows').toBe(true);
    console.info(`${target}: heap growth ${growth.toFixed(0)} B/message`);
    expect(growth).toBeLessThan(1024);
  });
});
