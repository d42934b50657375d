/**
 * `onFailure(outcome, ctx)`: called once per record that did not succeed (failed or
 * skipped), after the batch settled; sync or async; its throw or rejection is logged and
 * never changes an outcome; its promises are awaited for a bounded time only.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeadlineError, notifyFailures, processBatch, sqsHandler, ValidationError } from '../../lambda/runtime/index.ts';
import type { FailureNotifier, MessageContext, RecordOutcome } from '../../lambda/runtime/index.ts';
import { fifoEvent, lambdaContext, snsEnvelope, sqsEvent, sqsRecord } from '../../lambda/runtime/testing.ts';
import { captureLogger, deferred, track, waitFor } from './helpers.ts';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

const quiet = { logger: false } as const;

/** An `onFailure` that records its calls. */
function recorder(impl: (outcome: RecordOutcome, ctx: MessageContext) => unknown = () => undefined): {
  onFailure: FailureNotifier;
  calls: [RecordOutcome, MessageContext][];
} {
  const calls: [RecordOutcome, MessageContext][] = [];
  return { calls, onFailure: notifyFailures((outcome, ctx) => (calls.push([outcome, ctx]), impl(outcome, ctx))) };
}

const failOn = async (m: { fail?: boolean }): Promise<void> => {
  if (m.fail) throw new Error('boom');
};

describe('onFailure: which records', () => {
  it('is called once per failed or skipped record, in record order, never for successes or duplicates', async () => {
    const { onFailure, calls } = recorder();
    const records = [
      sqsRecord({ messageId: 'ok', body: {} }),
      sqsRecord({ messageId: 'bad-json', body: '{' }),
      sqsRecord({ messageId: 'throws', body: { fail: true } }),
      sqsRecord({ messageId: 'throws', body: { fail: true } }), // a duplicate of the one before
    ];
    const result = await processBatch(records, failOn, { ...quiet, onFailure });
    expect(calls.map(([o]) => [o.messageId, o.status])).toEqual([['bad-json', 'failed'], ['throws', 'failed']]);
    expect(calls[0]![0]).toBe(result.outcomes[1]);
    expect(calls[1]![0]).toBe(result.outcomes[2]);
    expect(calls[0]![0].error).toBeInstanceOf(ValidationError);
  });

  it('is called for FIFO records skipped after their group failed, with the group failure', async () => {
    const { onFailure, calls } = recorder();
    const event = fifoEvent([
      { messageId: 'a1', groupId: 'a', body: { fail: true } },
      { messageId: 'a2', groupId: 'a', body: {} },
      { messageId: 'b1', groupId: 'b', body: {} },
    ]);
    await processBatch(event.Records, failOn, { ...quiet, onFailure });
    expect(calls.map(([o]) => [o.messageId, o.status, o.error?.message])).toEqual([['a1', 'failed', 'boom'], ['a2', 'skipped', 'boom']]);
  });

  it('is not called when every record succeeded', async () => {
    const { onFailure, calls } = recorder();
    await processBatch([sqsRecord(), sqsRecord()], async () => {}, { ...quiet, onFailure });
    expect(calls).toEqual([]);
  });
});

describe('onFailure: context', () => {
  it('receives the very context handle received', async () => {
    const { onFailure, calls } = recorder();
    let seen: MessageContext | undefined;
    await processBatch([sqsRecord({ body: snsEnvelope({ fail: true }, { subject: 'Hi' }) })], async (m: { fail: boolean }, ctx) => {
      seen = ctx;
      await failOn(m);
    }, { ...quiet, onFailure });
    expect(calls[0]![1]).toBe(seen);
    expect(calls[0]![1].sns?.subject).toBe('Hi');
  });

  it('receives a new context for a record that never reached handle', async () => {
    const { onFailure, calls } = recorder();
    const { logger } = captureLogger();
    await processBatch([sqsRecord({ messageId: 'x', body: '{', receiveCount: 4, messageAttributes: { kind: 'order' } })], async () => {}, { logger, onFailure });
    const ctx = calls[0]![1];
    expect(ctx).toMatchObject({ messageId: 'x', attempt: 4, attributes: { kind: 'order' } });
    expect(ctx.record.messageId).toBe('x');
    expect(ctx.logger).toBe(logger);
    expect(ctx.signal).toBeInstanceOf(AbortSignal);
    expect(ctx).not.toHaveProperty('sns');
  });
});

describe('onFailure: sync and async', () => {
  it('awaits an async onFailure before the batch returns', async () => {
    const done: string[] = [];
    const onFailure = notifyFailures(async (o: RecordOutcome): Promise<void> => {
      await new Promise((resolve) => setImmediate(resolve));
      done.push(o.messageId);
    });
    await processBatch([sqsRecord({ messageId: 'a', body: '{' }), sqsRecord({ messageId: 'b', body: '{' })], async () => {}, { ...quiet, onFailure });
    expect(done.sort()).toEqual(['a', 'b']);
  });

  it('runs the async calls in parallel, not one after another', async () => {
    const gate = deferred();
    let started = 0;
    const pending = track(processBatch(
      [sqsRecord({ body: '{' }), sqsRecord({ body: '{' }), sqsRecord({ body: '{' })],
      async () => {},
      { ...quiet, onFailure: notifyFailures(async () => { started++; await gate.promise; }) },
    ));
    await waitFor(() => started === 3, 'three calls started');
    expect(pending.settled).toBe(false);
    gate.resolve();
    await pending.promise;
  });

  it('works through sqsHandler, where outcomes are built only for the failed records', async () => {
    const { onFailure, calls } = recorder(async () => {});
    const handler = sqsHandler({ ...quiet, onFailure, handle: failOn });
    const response = await handler(sqsEvent([{ messageId: 'a', body: {} }, { messageId: 'b', body: { fail: true } }]), lambdaContext());
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
    expect(calls.map(([o]) => o)).toEqual([{ messageId: 'b', status: 'failed', error: expect.any(Error), durationMs: expect.any(Number) }]);
  });
});

describe('onFailure: a throwing callback', () => {
  it.each([
    ['throws', (): void => {
      throw new Error('alert sink down');
    }],
    ['rejects', async (): Promise<void> => {
      throw new Error('alert sink down');
    }],
    ['throws a non-Error', (): void => {
      throw 'nope'; // eslint-disable-line no-throw-literal
    }],
  ])('logs a warn when it %s and changes no outcome', async (_how, onFailure) => {
    const { logger, at } = captureLogger();
    const records = [sqsRecord({ messageId: 'a', body: { fail: true } }), sqsRecord({ messageId: 'b', body: {} }), sqsRecord({ messageId: 'c', body: '{' })];
    const result = await processBatch(records, failOn, { logger, onFailure: notifyFailures(onFailure) });
    expect(result.outcomes.map((o) => o.status)).toEqual(['failed', 'succeeded', 'failed']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'c' }]);
    const warns = at('warn').filter((l) => l.message === 'onFailure threw');
    expect(warns.map((l) => l.fields!.messageId)).toEqual(['a', 'c']);
    expect(warns[0]!.fields).toMatchObject({ errorName: 'Error' });
  });

  it("gives the callback's error with name and code only under logFailures: 'codes'", async () => {
    const { logger, at } = captureLogger();
    await processBatch([sqsRecord({ messageId: 'a', body: '{' })], async () => {}, {
      logger,
      logFailures: 'codes',
      onFailure: notifyFailures(() => {
        throw Object.assign(new Error('secret-ish detail'), { code: 'ESINK' });
      }),
    });
    expect(at('warn').find((l) => l.message === 'onFailure threw')!.fields).toStrictEqual({ messageId: 'a', errorName: 'Error', errorCode: 'ESINK' });
  });

  it('still calls onFailure for the other records after one call threw', async () => {
    let calls = 0;
    await processBatch([sqsRecord({ body: '{' }), sqsRecord({ body: '{' })], async () => {}, {
      ...quiet,
      onFailure: notifyFailures(() => {
        calls++;
        throw new Error('x');
      }),
    });
    expect(calls).toBe(2);
  });
});

describe('onFailure: bounded wait', () => {
  it('waits at most 5 s without a Lambda deadline, then returns and logs a warn', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { logger, at } = captureLogger();
    const never = deferred();
    const pending = track(processBatch([sqsRecord({ body: '{' })], async () => {}, { logger, onFailure: notifyFailures(() => never.promise) }));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(pending.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waitFor(() => pending.settled, 'batch returned');
    expect((await pending.promise).batchItemFailures).toHaveLength(1);
    expect(at('warn').find((l) => l.message === 'onFailure not awaited further')!.fields).toEqual({ waitedMs: 5_000 });
    never.reject(new Error('late'));
    await waitFor(() => at('warn').some((l) => l.message === 'onFailure threw'), 'late rejection logged');
  });

  it('leaves no timer behind when the calls settled in time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await processBatch([sqsRecord({ body: '{' })], async () => {}, { ...quiet, onFailure: notifyFailures(async () => {}) });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('at the deadline, waits only until half the margin is left, so the batch still returns before the timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: 1_700_000_000_000 });
    const context = lambdaContext({ timeoutMs: 3_000, now: () => Date.now() });
    const never = deferred();
    let handled = 0;
    const outcomes: RecordOutcome[] = [];
    const pending = track(processBatch(
      [sqsRecord({ messageId: 'cut' }), sqsRecord({ messageId: 'late' })],
      async () => {
        handled++;
        await never.promise;
      },
      { ...quiet, concurrency: 1, deadlineMarginMs: 1_000, onFailure: notifyFailures((o) => (outcomes.push(o), never.promise)) },
      context,
    ));
    await waitFor(() => handled === 1, 'first record in flight');
    await vi.advanceTimersByTimeAsync(2_000); // the margin: the batch is cut off
    expect(outcomes.map((o) => [o.messageId, o.status])).toEqual([['cut', 'failed'], ['late', 'skipped']]);
    for (const o of outcomes) expect(o.error).toBeInstanceOf(DeadlineError);
    await vi.advanceTimersByTimeAsync(499);
    expect(pending.settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waitFor(() => pending.settled, 'batch returned with 500 ms left');
    expect(context.getRemainingTimeInMillis()).toBe(500);
  });

  it('does not wait at all when less than half the margin is left', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const context = lambdaContext({ timeoutMs: 400, now: () => 0 });
    const never = deferred();
    const pending = track(processBatch([sqsRecord()], async () => {}, { ...quiet, deadlineMarginMs: 1_000, onFailure: notifyFailures(() => never.promise) }, context));
    await vi.advanceTimersByTimeAsync(0);
    await waitFor(() => pending.settled, 'batch returned without waiting');
    expect((await pending.promise).outcomes[0]!.status).toBe('skipped');
  });
});
