import { describe, expect, it } from 'vitest';
import { ConfigError, InvalidEventError, processBatch, SluiceError, ValidationError } from '../../lambda/runtime/index.ts';
import type { MessageContext, SqsRecord } from '../../lambda/runtime/index.ts';
import { sqsRecord } from '../../lambda/runtime/testing.ts';
import { deferred, tick, track, waitFor } from './helpers.ts';
import type { Deferred } from './helpers.ts';

const quiet = { logger: false } as const;

function batch(n: number, body: (i: number) => unknown = (i) => ({ n: i })): SqsRecord[] {
  return Array.from({ length: n }, (_, i) => sqsRecord({ messageId: `m-${i}`, body: body(i) }));
}

describe('processBatch outcomes', () => {
  it('reports only the failed record when one of three handlers throws', async () => {
    const records = batch(3);
    const boom = new Error('boom');
    const result = await processBatch(records, async (m: { n: number }) => {
      if (m.n === 1) throw boom;
    }, quiet);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(result.outcomes[1]!.error).toBe(boom);
    expect(result.outcomes[0]!.error).toBeUndefined();
    expect(result.outcomes[2]!.error).toBeUndefined();
  });

  it('lists outcomes in record order even when records settle in reverse order', async () => {
    const records = batch(4);
    const gates = records.map(() => deferred());
    const settleOrder: number[] = [];
    const pending = processBatch(records, async (m: { n: number }) => {
      await gates[m.n]!.promise;
      settleOrder.push(m.n);
      if (m.n % 2 === 0) throw new Error(`fail ${m.n}`);
    }, { ...quiet, concurrency: 4 });
    for (let i = 3; i >= 0; i--) {
      gates[i]!.resolve();
      await waitFor(() => settleOrder.length === 4 - i, `record ${i} settled`);
    }
    const result = await pending;
    expect(settleOrder).toEqual([3, 2, 1, 0]);
    expect(result.outcomes.map((o) => o.messageId)).toEqual(['m-0', 'm-1', 'm-2', 'm-3']);
    expect(result.outcomes.map((o) => o.status)).toEqual(['failed', 'succeeded', 'failed', 'succeeded']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }, { itemIdentifier: 'm-2' }]);
  });

  it('gives every outcome exactly the fields messageId, status, durationMs and error only when there is one', async () => {
    const result = await processBatch(batch(2), async (m: { n: number }) => {
      if (m.n === 1) throw new Error('x');
    }, quiet);
    expect(Object.keys(result.outcomes[0]!).sort()).toEqual(['durationMs', 'messageId', 'status']);
    expect(Object.keys(result.outcomes[1]!).sort()).toEqual(['durationMs', 'error', 'messageId', 'status']);
    for (const o of result.outcomes) {
      expect(typeof o.durationMs).toBe('number');
      expect(o.durationMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('measures durationMs from start to settle of each record', async () => {
    let t0 = 0;
    const result = await processBatch(batch(1), async () => {
      t0 = performance.now();
      while (performance.now() - t0 < 15) await tick();
    }, quiet);
    expect(result.outcomes[0]!.durationMs).toBeGreaterThanOrEqual(15);
    expect(result.stats.durationMs).toBeGreaterThanOrEqual(result.outcomes[0]!.durationMs);
  });

  it('keeps the thrown Error itself as the outcome error', async () => {
    class DomainError extends Error {}
    const thrown = new DomainError('no');
    const result = await processBatch(batch(1), () => { throw thrown; }, quiet);
    expect(result.outcomes[0]!.error).toBe(thrown);
  });

  it.each([
    ['a string', 'nope'],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
    ['a plain object', { reason: 'x' }],
  ])('wraps a thrown non-Error (%s) in an Error whose cause is the thrown value', async (_what, thrown) => {
    const result = await processBatch(batch(1), async () => {
      throw thrown;
    }, quiet);
    const error = result.outcomes[0]!.error!;
    expect(result.outcomes[0]!.status).toBe('failed');
    expect(error).toBeInstanceOf(Error);
    expect(error.cause).toBe(thrown);
    expect(Object.hasOwn(error, 'cause')).toBe(true);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
  });

  it('fails a record whose handler rejects, and one whose handler throws synchronously', async () => {
    const result = await processBatch(batch(3), (m: { n: number }) => {
      if (m.n === 0) return Promise.reject(new Error('rejected'));
      if (m.n === 1) throw new Error('sync');
      return undefined;
    }, quiet);
    expect(result.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'succeeded']);
    expect(result.outcomes.map((o) => o.error?.message)).toEqual(['rejected', 'sync', undefined]);
  });

  it.each([
    ['false', false],
    ['an Error instance', new Error('returned, not thrown')],
    ['a partial batch response', { batchItemFailures: [{ itemIdentifier: 'm-0' }] }],
    ['a promise of an Error', Promise.resolve(new Error('resolved'))],
    ['a thenable resolving to a failure-looking value', { then: (ok: (v: unknown) => void) => ok({ status: 'failed' }) }],
  ])('never changes an outcome because of what handle returns (%s)', async (_what, returned) => {
    const result = await processBatch(batch(2), () => returned, quiet);
    expect(result.outcomes.map((o) => o.status)).toEqual(['succeeded', 'succeeded']);
    expect(result.batchItemFailures).toEqual([]);
  });

  it('awaits a thenable returned by handle and fails the record when it rejects', async () => {
    const result = await processBatch(batch(1), () => ({ then: (_ok: unknown, fail: (e: unknown) => void) => fail(new Error('thenable')) }), quiet);
    expect(result.outcomes[0]!.status).toBe('failed');
    expect(result.outcomes[0]!.error!.message).toBe('thenable');
  });

  it('fails only the record whose handle returns an object with a throwing then getter, or a thenable that calls back twice', async () => {
    const hostile = Object.defineProperty({}, 'then', { get() { throw new Error('then getter'); } });
    const twice = { then: (ok: (v: unknown) => void, fail: (e: unknown) => void) => { ok(1); fail(new Error('late')); ok(2); } };
    const calls: number[] = [];
    const result = await processBatch(batch(3), (m: { n: number }) => {
      calls.push(m.n);
      return m.n === 0 ? hostile : m.n === 1 ? twice : undefined;
    }, { ...quiet, concurrency: 1 });
    expect(calls).toEqual([0, 1, 2]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['failed', 'succeeded', 'succeeded']);
    expect(result.outcomes[0]!.error!.message).toBe('then getter');
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-0' }]);
  });

  it('keeps one undecodable record from failing the rest of the batch', async () => {
    const records = [sqsRecord({ messageId: 'a', body: { ok: 1 } }), sqsRecord({ messageId: 'b', body: '{not json' }), sqsRecord({ messageId: 'c', body: { ok: 3 } })];
    const seen: unknown[] = [];
    const result = await processBatch(records, async (m) => void seen.push(m), quiet);
    expect(seen).toEqual([{ ok: 1 }, { ok: 3 }]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'b' }]);
    expect(result.outcomes[1]!.error).toBeInstanceOf(ValidationError);
  });

  it('resolves an empty batch without calling handle', async () => {
    let calls = 0;
    const result = await processBatch([], async () => void calls++, quiet);
    expect(calls).toBe(0);
    expect(result.batchItemFailures).toEqual([]);
    expect(result.outcomes).toEqual([]);
    expect(result.stats).toMatchObject({ total: 0, succeeded: 0, failed: 0, skipped: 0, duplicates: 0, maxInFlight: 0 });
  });
});

describe('processBatch stats', () => {
  it('counts each status and makes total the sum of the four counts', async () => {
    const records = [
      sqsRecord({ messageId: 'a', body: { fail: false } }),
      sqsRecord({ messageId: 'b', body: { fail: true } }),
      sqsRecord({ messageId: 'a', body: { fail: false } }),
      sqsRecord({ messageId: 'c', body: { fail: false } }),
      sqsRecord({ messageId: 'd', body: 'oops' }),
    ];
    const { stats } = await processBatch(records, async (m: { fail: boolean }) => {
      if (m.fail) throw new Error('x');
    }, quiet);
    expect(stats).toMatchObject({ total: 5, succeeded: 2, failed: 2, skipped: 0, duplicates: 1 });
    expect(stats.total).toBe(stats.succeeded + stats.failed + stats.skipped + stats.duplicates);
    expect(stats.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('reports maxInFlight equal to concurrency when the pool is full, and never above it', async () => {
    const gate = deferred();
    let inFlight = 0;
    let measured = 0;
    const pending = processBatch(batch(20), async () => {
      inFlight++;
      measured = Math.max(measured, inFlight);
      await gate.promise;
      await tick();
      inFlight--;
    }, { ...quiet, concurrency: 5 });
    await waitFor(() => inFlight === 5, 'pool full');
    gate.resolve();
    const { stats } = await pending;
    expect(measured).toBe(5);
    expect(stats.maxInFlight).toBe(5);
  });

  it('reports maxInFlight as the record count when concurrency exceeds it', async () => {
    const { stats } = await processBatch(batch(3), async () => {
      await tick();
    }, { ...quiet, concurrency: 50 });
    expect(stats.maxInFlight).toBe(3);
  });
});

describe('processBatch batchItemFailures', () => {
  it('lists failures in record order, each messageId at most once', async () => {
    const records = [
      sqsRecord({ messageId: 'x', body: { i: 0 } }),
      sqsRecord({ messageId: 'y', body: { i: 1 } }),
      sqsRecord({ messageId: 'x', body: { i: 2 } }),
      sqsRecord({ messageId: 'z', body: { i: 3 } }),
    ];
    const result = await processBatch(records, async (m: { i: number }) => {
      await tick();
      if (m.i !== 1) throw new Error(`fail ${m.i}`);
    }, { ...quiet, dedupe: false });
    expect(result.outcomes.map((o) => o.status)).toEqual(['failed', 'succeeded', 'failed', 'failed']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'x' }, { itemIdentifier: 'z' }]);
  });

  it('reports a messageId whose later copy failed even though its first copy succeeded (dedupe off)', async () => {
    const records = [sqsRecord({ messageId: 'x', body: { fail: false } }), sqsRecord({ messageId: 'x', body: { fail: true } })];
    const result = await processBatch(records, async (m: { fail: boolean }) => {
      if (m.fail) throw new Error('second copy');
    }, { ...quiet, dedupe: false });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'x' }]);
  });
});

describe('processBatch arguments', () => {
  it('rejects (does not throw synchronously) with ConfigError when handle is not a function', async () => {
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = processBatch(batch(1), 'not a function' as never, quiet);
    }).not.toThrow();
    const error = await pending!.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('handle');
  });

  it('rejects with InvalidEventError when records is not an array, before calling handle', async () => {
    let calls = 0;
    await expect(processBatch({ Records: [] } as never, async () => void calls++, quiet)).rejects.toBeInstanceOf(InvalidEventError);
    expect(calls).toBe(0);
  });

  it('checks every record before any starts: a bad last record means handle never runs', async () => {
    let calls = 0;
    const records = [...batch(3), { messageId: '', eventSource: 'aws:sqs' } as SqsRecord];
    const error = await processBatch(records, async () => void calls++, quiet).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).code).toBe('INVALID_EVENT');
    expect(error).toBeInstanceOf(SluiceError);
    expect(calls).toBe(0);
  });

  it('hands handle the context of its own record', async () => {
    const records = batch(5);
    const seen = new Map<string, MessageContext>();
    await processBatch(records, async (m: { n: number }, ctx) => {
      expect(ctx.record).toBe(records[m.n]);
      seen.set(ctx.messageId, ctx);
    }, quiet);
    expect([...seen.keys()].sort()).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);
  });

  it('does not resolve before every record settled', async () => {
    const gate: Deferred = deferred();
    const pending = track(processBatch(batch(3), async (m: { n: number }) => {
      if (m.n === 2) await gate.promise;
    }, quiet));
    for (let i = 0; i < 20; i++) await tick();
    expect(pending.settled).toBe(false);
    gate.resolve();
    const result = await pending.promise;
    expect(result.stats.succeeded).toBe(3);
  });
});
