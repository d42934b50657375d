import { describe, expect, it } from 'vitest';
import { processBatch } from '../../lambda/runtime/index.ts';
import type { SqsRecord } from '../../lambda/runtime/index.ts';
import { sqsRecord } from '../../lambda/runtime/testing.ts';
import { deferred, tick, waitFor } from './helpers.ts';
import type { Deferred } from './helpers.ts';

const quiet = { logger: false } as const;

function batch(n: number): SqsRecord[] {
  return Array.from({ length: n }, (_, i) => sqsRecord({ messageId: `m-${i}`, body: { n: i } }));
}

describe('bounded pool', () => {
  it('never has more than concurrency records in flight, and fills the pool', async () => {
    for (const concurrency of [1, 2, 7, 32]) {
      let inFlight = 0;
      let max = 0;
      const { stats } = await processBatch(batch(100), async (m: { n: number }) => {
        inFlight++;
        max = Math.max(max, inFlight);
        for (let k = 0; k < m.n % 3; k++) await tick();
        await Promise.resolve();
        inFlight--;
      }, { ...quiet, concurrency });
      expect(max).toBe(concurrency);
      expect(stats.maxInFlight).toBe(concurrency);
    }
  });

  it('starts records in record order', async () => {
    const started: number[] = [];
    await processBatch(batch(50), async (m: { n: number }) => {
      started.push(m.n);
      for (let k = 0; k < (7 * m.n) % 4; k++) await tick();
    }, { ...quiet, concurrency: 5 });
    expect(started).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('starts the next record as soon as any slot frees, not in waves', async () => {
    const gates: Deferred[] = Array.from({ length: 4 }, () => deferred());
    const started: number[] = [];
    const pending = processBatch(batch(4), async (m: { n: number }) => {
      started.push(m.n);
      await gates[m.n]!.promise;
    }, { ...quiet, concurrency: 2 });
    await waitFor(() => started.length === 2, 'two started');
    gates[1]!.resolve();
    await waitFor(() => started.length === 3, 'third started while record 0 still runs');
    expect(started).toEqual([0, 1, 2]);
    expect(gates[0]!.settled).toBe(false);
    gates[2]!.resolve();
    await waitFor(() => started.length === 4, 'fourth started while record 0 still runs');
    gates[0]!.resolve();
    gates[3]!.resolve();
    expect((await pending).stats.succeeded).toBe(4);
  });

  it('runs records one after another with concurrency 1', async () => {
    const events: string[] = [];
    await processBatch(batch(4), async (m: { n: number }) => {
      events.push(`start ${m.n}`);
      await tick();
      events.push(`end ${m.n}`);
    }, { ...quiet, concurrency: 1 });
    expect(events).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3']);
  });

  it('calls handle exactly once per record in a large batch', async () => {
    const calls = new Array<number>(10_000).fill(0);
    const records = Array.from({ length: 10_000 }, (_, i) => sqsRecord({ messageId: `m-${i}`, body: String(i) }));
    const { stats, outcomes } = await processBatch(records, (m: number) => {
      calls[m]!++;
      return m % 2 === 0 ? undefined : Promise.resolve();
    }, { ...quiet, concurrency: 50 });
    expect(calls.every((c) => c === 1)).toBe(true);
    expect(stats.succeeded).toBe(10_000);
    expect(outcomes).toHaveLength(10_000);
  });

  it('keeps slots busy when records fail: a failure frees its slot for the next record', async () => {
    let inFlight = 0;
    let max = 0;
    const result = await processBatch(batch(30), async (m: { n: number }) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await tick();
      inFlight--;
      if (m.n % 3 === 0) throw new Error('x');
    }, { ...quiet, concurrency: 4 });
    expect(max).toBe(4);
    expect(result.stats).toMatchObject({ failed: 10, succeeded: 20 });
  });
});
