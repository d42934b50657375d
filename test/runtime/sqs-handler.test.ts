import type middyCore from '@middy/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, InvalidEventError, processBatch, sqsHandler } from '../../lambda/runtime/index.ts';
import type { LambdaContext, MessageContext, SqsEvent } from '../../lambda/runtime/index.ts';
import { lambdaContext, sqsEvent, sqsRecord } from '../../lambda/runtime/testing.ts';
import { captureLogger, captureOutput, serializeDeep, tick } from './helpers.ts';

type Request = middyCore.Request<SqsEvent, unknown, Error, LambdaContext>;

const quiet = { logger: false } as const;
const context = (): LambdaContext => lambdaContext({ timeoutMs: 30_000 });

afterEach(() => {
  vi.restoreAllMocks();
});

describe('sqsHandler response', () => {
  it('resolves to exactly { batchItemFailures } listing the failed records', async () => {
    const handler = sqsHandler({
      ...quiet,
      handle: async (m: { fail: boolean }) => {
        if (m.fail) throw new Error('x');
      },
    });
    const event = sqsEvent([
      { messageId: 'a', body: { fail: false } },
      { messageId: 'b', body: { fail: true } },
      { messageId: 'c', body: { fail: false } },
      { messageId: 'd', body: { fail: true } },
    ]);
    const response = await handler(event, context());
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'd' }] });
    expect(Object.keys(response)).toEqual(['batchItemFailures']);
  });

  it('resolves to { batchItemFailures: [] } when every record succeeds, and for an empty batch', async () => {
    const handler = sqsHandler({ ...quiet, handle: async () => {} });
    expect(await handler(sqsEvent([{}, {}]), context())).toStrictEqual({ batchItemFailures: [] });
    expect(await handler({ Records: [] }, context())).toStrictEqual({ batchItemFailures: [] });
  });

  it('returns the same batchItemFailures as processBatch, including repeated messageIds with dedupe off', async () => {
    const handle = async (m: { fail: boolean }): Promise<void> => {
      await tick();
      if (m.fail) throw new Error('x');
    };
    const event = sqsEvent([
      { messageId: 'a', body: { fail: false } },
      { messageId: 'b', body: { fail: true } },
      { messageId: 'a', body: { fail: true } },
      { messageId: 'c', body: '{bad json' },
      { messageId: 'b', body: { fail: false } },
    ]);
    const options = { ...quiet, dedupe: false } as const;
    const engine = await processBatch(event.Records, handle, options);
    const response = await sqsHandler({ ...options, handle })(event, context());
    expect(engine.batchItemFailures).toEqual([{ itemIdentifier: 'b' }, { itemIdentifier: 'a' }, { itemIdentifier: 'c' }]);
    expect(response.batchItemFailures).toEqual(engine.batchItemFailures);
  });

  it('reports a duplicate once, with its original, when the original failed (dedupe on)', async () => {
    const handler = sqsHandler({
      ...quiet,
      handle: async (m: { fail: boolean }) => {
        if (m.fail) throw new Error('x');
      },
    });
    const event = sqsEvent([
      { messageId: 'a', body: { fail: true } },
      { messageId: 'b', body: { fail: false } },
      { messageId: 'a', body: { fail: false } },
    ]);
    expect(await handler(event, context())).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'a' }] });
  });

  it('never lets a handler return value reach the response', async () => {
    const handler = sqsHandler({
      ...quiet,
      handle: async () => ({ batchItemFailures: [{ itemIdentifier: 'a' }] }),
    });
    expect(await handler(sqsEvent([{ messageId: 'a' }]), context())).toStrictEqual({ batchItemFailures: [] });
  });
});

describe('sqsHandler unreportable events', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'Records'],
    ['an array', [sqsRecord()]],
    ['an object without Records', { records: [] }],
    ['Records that is not an array', { Records: { 0: sqsRecord() } }],
    ['a null record', { Records: [sqsRecord(), null] }],
    ['a record without messageId', { Records: [sqsRecord(), { ...sqsRecord(), messageId: undefined }] }],
    ['a record with an empty messageId', { Records: [{ ...sqsRecord(), messageId: '' }] }],
    ['a record from another event source', { Records: [{ ...sqsRecord(), eventSource: 'aws:sns' }] }],
  ])('rejects with InvalidEventError for %s, so the partial-batch middleware cannot turn it into a success', async (_what, event) => {
    let calls = 0;
    const handler = sqsHandler({ ...quiet, handle: async () => void calls++ });
    const error = await handler(event as SqsEvent, context()).then(
      (response) => ({ resolvedWith: response }),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(calls).toBe(0);
  });

  it('rejects with InvalidEventError even when a user middleware with onError runs', async () => {
    const seen: unknown[] = [];
    const handler = sqsHandler({ ...quiet, handle: async () => {} }).use({
      onError: (request: Request) => {
        seen.push(request.error);
      },
    });
    await expect(handler({ Records: 'nope' } as never, context())).rejects.toBeInstanceOf(InvalidEventError);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(InvalidEventError);
  });
});

describe('sqsHandler creation', () => {
  it('throws ConfigError synchronously, before any invocation, when handle is missing', () => {
    expect(() => sqsHandler({} as never)).toThrow(ConfigError);
    expect(() => sqsHandler(undefined as never)).toThrow(ConfigError);
    expect(() => sqsHandler({ handle: 'x' } as never)).toThrow(/handle/);
  });

  it('throws ConfigError synchronously for a bad option', () => {
    expect(() => sqsHandler({ handle: async () => {}, concurrency: 0 })).toThrow(ConfigError);
  });

  it('exposes the handle and the batch options it was built with, without handle in options', () => {
    const handle = async (): Promise<void> => {};
    const handler = sqsHandler({ handle, concurrency: 3, logger: false });
    expect(handler.sluice.handle).toBe(handle);
    expect(handler.sluice.options).toEqual({ concurrency: 3, logger: false });
  });
});

describe('sqsHandler as a middy handler', () => {
  it('runs a before middleware added with .use() ahead of the batch, with the event it rewrote', async () => {
    const order: string[] = [];
    const handler = sqsHandler({
      ...quiet,
      handle: async (m: { n: number }) => {
        order.push(`handle ${m.n}`);
        if (m.n === 2) throw new Error('x');
      },
    }).use({
      before: (request: Request) => {
        order.push('before');
        // A middleware may rewrite the event: drop the first record.
        request.event = { Records: request.event.Records.slice(1) };
      },
    });
    const response = await handler(sqsEvent([{ messageId: 'a', body: { n: 1 } }, { messageId: 'b', body: { n: 2 } }, { messageId: 'c', body: { n: 3 } }]), context());
    expect(order[0]).toBe('before');
    expect(order.slice(1).sort()).toEqual(['handle 2', 'handle 3']);
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
  });

  it('runs an after middleware added with .use(); like any handler under sqs-partial-batch-failure it sees one settled entry per record', async () => {
    let seen: unknown;
    const handler = sqsHandler({
      ...quiet,
      handle: async (m: { fail: boolean }) => {
        if (m.fail) throw new Error('x');
      },
    }).use({
      after: (request: Request) => {
        seen = request.response;
      },
    });
    const response = await handler(sqsEvent([{ messageId: 'a', body: { fail: false } }, { messageId: 'b', body: { fail: true } }]), context());
    expect((seen as { status: string }[]).map((e) => e.status)).toEqual(['fulfilled', 'rejected']);
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
  });

  it('passes the Lambda context on to ctx.lambdaContext', async () => {
    const lc = context();
    let seen: MessageContext | undefined;
    await sqsHandler({ ...quiet, handle: async (_m, ctx) => void (seen = ctx) })(sqsEvent([{}]), lc);
    expect(seen!.lambdaContext).toBe(lc);
  });

  it('processes a batch invoked without a context', async () => {
    const handler = sqsHandler({ ...quiet, handle: async (m: { fail: boolean }) => { if (m.fail) throw new Error('x'); } });
    const response = await handler(sqsEvent([{ messageId: 'a', body: { fail: false } }, { messageId: 'b', body: { fail: true } }]), undefined as never);
    expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'b' }] });
  });

  it('never prints a body or attribute value through the partial-batch middleware logger', async () => {
    const secret = 'S3CRET-middy-7f1d';
    const output = captureOutput();
    const consoleSpies = (['log', 'error', 'warn', 'info', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
    const { logger, lines } = captureLogger();
    try {
      const handler = sqsHandler({
        logger,
        // The data sits in the cause: detailed logging names a cause, never its message.
        // (handle's own message is the user's to log; see log-failures.test.ts.)
        handle: async (m: unknown) => {
          throw new Error('failed', { cause: new Error(`failed on ${JSON.stringify(m)}`) });
        },
      });
      const event = sqsEvent([
        { messageId: 'a', body: { secret }, messageAttributes: { token: secret } },
        { messageId: 'b', body: `{"half": "${secret}` },
      ]);
      const response = await handler(event, context());
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'b' }]);
    } finally {
      output.restore();
    }
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
    expect(output.all()).not.toContain(secret);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(serializeDeep(line)).not.toContain(secret);
  });

  it('keeps invocations of one handler independent when they overlap', async () => {
    const handler = sqsHandler({
      ...quiet,
      handle: async (m: { fail: boolean }) => {
        await tick();
        if (m.fail) throw new Error('x');
      },
    });
    const [r1, r2] = await Promise.all([
      handler(sqsEvent([{ messageId: 'a', body: { fail: true } }, { messageId: 'b', body: { fail: false } }]), context()),
      handler(sqsEvent([{ messageId: 'c', body: { fail: false } }, { messageId: 'd', body: { fail: true } }]), context()),
    ]);
    expect(r1).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'a' }] });
    expect(r2).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'd' }] });
  });
});
