import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeadlineError, processBatch, sqsHandler } from '../../lambda/runtime/index.ts';
import type { MessageContext, SqsRecord } from '../../lambda/runtime/index.ts';
import { fifoEvent, lambdaContext, sqsEvent, sqsRecord } from '../../lambda/runtime/testing.ts';
import { captureLogger, deferred, tick, track, waitFor } from './helpers.ts';
import type { Deferred } from './helpers.ts';

const quiet = { logger: false } as const;

function batch(n: number): SqsRecord[] {
  return Array.from({ length: n }, (_, i) => sqsRecord({ messageId: `m-${i}`, body: { n: i } }));
}

/** Fake only the clock and timeouts; setImmediate and microtasks stay real. */
function fakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_700_000_000_000 });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('deadline before the batch starts', () => {
  it('starts no record when remaining time is already below the margin', async () => {
    let t = 0;
    let calls = 0;
    const context = lambdaContext({ timeoutMs: 500, now: () => t });
    const result = await processBatch(batch(3), async () => void calls++, { ...quiet, deadlineMarginMs: 1000 }, context);
    expect(calls).toBe(0);
    expect(result.outcomes.map((o) => o.status)).toEqual(['skipped', 'skipped', 'skipped']);
    for (const o of result.outcomes) expect(o.error).toBeInstanceOf(DeadlineError);
    expect((result.outcomes[0]!.error as DeadlineError).code).toBe('DEADLINE');
    expect(result.outcomes[0]!.error!.message).toContain('m-0');
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m-0', 'm-1', 'm-2']);
    expect(result.stats).toMatchObject({ total: 3, skipped: 3, failed: 0, succeeded: 0, maxInFlight: 0 });
  });

  it('runs every record when remaining time is above the margin', async () => {
    const context = lambdaContext({ timeoutMs: 1001, now: () => 0 });
    const result = await processBatch(batch(3), async () => {}, { ...quiet, deadlineMarginMs: 1000 }, context);
    expect(result.stats.succeeded).toBe(3);
  });

  it('applies no deadline without a Lambda context', async () => {
    const result = await processBatch(batch(3), async () => {
      for (let i = 0; i < 5; i++) await tick();
    }, { ...quiet, deadlineMarginMs: 1_000_000 });
    expect(result.stats.succeeded).toBe(3);
  });

  it('reports a duplicate of an unstarted record with it', async () => {
    const records = [sqsRecord({ messageId: 'a' }), sqsRecord({ messageId: 'a' }), sqsRecord({ messageId: 'b' })];
    const result = await processBatch(records, async () => {}, quiet, lambdaContext({ timeoutMs: 10, now: () => 0 }));
    expect(result.outcomes.map((o) => o.status)).toEqual(['skipped', 'duplicate', 'skipped']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }]);
  });
});

describe('deadline during the batch', () => {
  it('starts no record once remaining time drops below the margin', async () => {
    let t = 0;
    const context = lambdaContext({ timeoutMs: 10_000, now: () => t });
    const started: number[] = [];
    const result = await processBatch(batch(4), async (m: { n: number }) => {
      started.push(m.n);
      if (m.n === 1) t = 9_001; // 999 ms left, margin 1000
    }, { ...quiet, concurrency: 1, deadlineMarginMs: 1000 }, context);
    expect(started).toEqual([0, 1]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['succeeded', 'succeeded', 'skipped', 'skipped']);
    expect(result.outcomes[2]!.error).toBeInstanceOf(DeadlineError);
    expect(result.outcomes[3]!.error).toBeInstanceOf(DeadlineError);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m-2', 'm-3']);
  });

  it('stops starting FIFO records at the deadline too', async () => {
    let t = 0;
    const context = lambdaContext({ timeoutMs: 5_000, now: () => t });
    const event = fifoEvent([
      { messageId: 'a1', groupId: 'a', body: { n: 1 } },
      { messageId: 'a2', groupId: 'a', body: { n: 2 } },
      { messageId: 'a3', groupId: 'a', body: { n: 3 } },
    ]);
    const result = await processBatch(event.Records, async (m: { n: number }) => {
      if (m.n === 1) t = 4_500;
    }, { ...quiet, deadlineMarginMs: 1000 }, context);
    expect(result.outcomes.map((o) => o.status)).toEqual(['succeeded', 'skipped', 'skipped']);
    expect(result.outcomes[1]!.error).toBeInstanceOf(DeadlineError);
  });

  it('aborts in-flight signals at the margin and returns at once: in-flight failed, unstarted skipped', async () => {
    fakeClock();
    const context = lambdaContext({ timeoutMs: 5_000, now: () => Date.now() });
    const contexts: MessageContext[] = [];
    const never: Deferred = deferred();
    const pending = track(processBatch(batch(5), async (_m, ctx) => {
      contexts.push(ctx);
      await never.promise; // never settles on its own
    }, { ...quiet, concurrency: 2, deadlineMarginMs: 1000 }, context));
    await waitFor(() => contexts.length === 2, 'two records in flight');
    await vi.advanceTimersByTimeAsync(3_999);
    expect(pending.settled).toBe(false);
    expect(contexts[0]!.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waitFor(() => pending.settled, 'batch returned at the margin');
    const result = await pending.promise;
    expect(result.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'skipped', 'skipped', 'skipped']);
    for (const o of result.outcomes) expect(o.error).toBeInstanceOf(DeadlineError);
    expect(result.outcomes[0]!.error!.message).toContain('m-0');
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4']);
    expect(result.stats).toMatchObject({ total: 5, failed: 2, skipped: 3, succeeded: 0, maxInFlight: 2 });
    for (const ctx of contexts) {
      expect(ctx.signal.aborted).toBe(true);
      expect(ctx.signal.reason).toBeInstanceOf(DeadlineError);
    }
    expect(result.outcomes[0]!.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps the outcome of records that settled before the deadline', async () => {
    fakeClock();
    const context = lambdaContext({ timeoutMs: 3_000, now: () => Date.now() });
    const slow: Deferred = deferred();
    const pending = processBatch(batch(3), async (m: { n: number }) => {
      if (m.n === 1) throw new Error('early failure');
      if (m.n === 2) await slow.promise;
    }, { ...quiet, concurrency: 3, deadlineMarginMs: 500 }, context);
    await vi.advanceTimersByTimeAsync(2_500);
    const result = await pending;
    expect(result.outcomes.map((o) => o.status)).toEqual(['succeeded', 'failed', 'failed']);
    expect(result.outcomes[1]!.error!.message).toBe('early failure');
    expect(result.outcomes[2]!.error).toBeInstanceOf(DeadlineError);
  });

  it('ignores the late settlement of cut-off records without an unhandled rejection', async () => {
    fakeClock();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const context = lambdaContext({ timeoutMs: 2_000, now: () => Date.now() });
      const gates = [deferred(), deferred(), deferred()];
      const { logger, lines } = captureLogger();
      let started = 0;
      const pending = processBatch(batch(3), async (m: { n: number }) => {
        started++;
        await gates[m.n]!.promise;
      }, { logger, concurrency: 3, deadlineMarginMs: 1000 }, context);
      await waitFor(() => started === 3, 'all started');
      await vi.advanceTimersByTimeAsync(1_000);
      const result = await pending;
      const snapshot = JSON.stringify(result.outcomes.map((o) => [o.messageId, o.status, o.error?.name, o.durationMs]));
      const linesAtReturn = lines.length;
      gates[0]!.reject(new Error('late rejection'));
      gates[1]!.resolve();
      gates[2]!.reject('late non-error');
      for (let i = 0; i < 10; i++) await tick();
      expect(unhandled).toEqual([]);
      expect(JSON.stringify(result.outcomes.map((o) => [o.messageId, o.status, o.error?.name, o.durationMs]))).toBe(snapshot);
      expect(result.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'failed']);
      expect(lines.length).toBe(linesAtReturn);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('does not abort the signal of a batch that finishes before its deadline', async () => {
    const contexts: MessageContext[] = [];
    await processBatch(batch(2), async (_m, ctx) => void contexts.push(ctx), quiet, lambdaContext({ timeoutMs: 60_000 }));
    for (const ctx of contexts) expect(ctx.signal.aborted).toBe(false);
  });

  it('lets a handler stop its own work through ctx.signal', async () => {
    fakeClock();
    const context = lambdaContext({ timeoutMs: 2_000, now: () => Date.now() });
    let sawAbort = false;
    const pending = processBatch(batch(1), (_m, ctx) => new Promise<void>((_resolve, reject) => {
      ctx.signal.addEventListener('abort', () => {
        sawAbort = true;
        reject(ctx.signal.reason);
      });
    }), { ...quiet, deadlineMarginMs: 500 }, context);
    await vi.advanceTimersByTimeAsync(1_500);
    const result = await pending;
    expect(sawAbort).toBe(true);
    expect(result.outcomes[0]!.status).toBe('failed');
    expect(result.outcomes[0]!.error).toBeInstanceOf(DeadlineError);
  });

  it('leaves no deadline timer behind once the batch finished', async () => {
    fakeClock();
    await processBatch(batch(2), async () => {}, quiet, lambdaContext({ timeoutMs: 60_000, now: () => Date.now() }));
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('deadline through sqsHandler', () => {
  it('resolves before the Lambda timeout, reporting in-flight and unstarted records', async () => {
    fakeClock();
    const never = deferred();
    let started = 0;
    const handler = sqsHandler({
      ...quiet,
      concurrency: 1,
      deadlineMarginMs: 200,
      handle: async (m: { n: number }) => {
        started++;
        if (m.n === 1) await never.promise;
      },
    });
    const event = sqsEvent([{ messageId: 'a', body: { n: 0 } }, { messageId: 'b', body: { n: 1 } }, { messageId: 'c', body: { n: 2 } }]);
    const pending = track(handler(event, lambdaContext({ timeoutMs: 1_000, now: () => Date.now() })));
    await waitFor(() => started === 2, 'b in flight');
    await vi.advanceTimersByTimeAsync(800);
    await waitFor(() => pending.settled, 'handler resolved');
    expect(await pending.promise).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'c' }] });
  });
});
