import { describe, expect, it } from 'vitest';
import { processBatch, sqsHandler } from '../../lambda/runtime/index.ts';
import type { BatchOptions, LambdaContext, MessageContext, SqsRecord } from '../../lambda/runtime/index.ts';
import { fifoEvent, lambdaContext, snsEnvelope, sqsEvent, sqsRecord } from '../../lambda/runtime/testing.ts';
import { captureLogger } from './helpers.ts';

async function contextOf(record: SqsRecord, options: BatchOptions<unknown> = {}, lc?: LambdaContext): Promise<MessageContext> {
  let seen: MessageContext | undefined;
  const result = await processBatch([record], async (_m, ctx) => void (seen = ctx), { logger: false, ...options }, lc);
  expect(result.outcomes[0]!.status).toBe('succeeded');
  return seen!;
}

describe('message context', () => {
  it('carries the messageId and the record itself', async () => {
    const record = sqsRecord({ messageId: 'id-1' });
    const ctx = await contextOf(record);
    expect(ctx.messageId).toBe('id-1');
    expect(ctx.record).toBe(record);
  });

  it('reads the record\'s attributes and messageAttributes only when the handler reads attempt or attributes', async () => {
    const reads: string[] = [];
    const watched = (record: SqsRecord): SqsRecord => {
      const { attributes, messageAttributes } = record;
      Object.defineProperty(record, 'attributes', { get: () => (reads.push('attributes'), attributes), enumerable: true });
      Object.defineProperty(record, 'messageAttributes', { get: () => (reads.push('messageAttributes'), messageAttributes), enumerable: true });
      return record;
    };
    const quiet = await processBatch([watched(sqsRecord({ messageId: 'q', messageAttributes: { k: 'v' } }))], async () => {}, { logger: false });
    expect(quiet.outcomes[0]!.status).toBe('succeeded');
    expect(reads).toEqual([]);

    const seen: unknown[] = [];
    await processBatch([watched(sqsRecord({ messageId: 'r', receiveCount: 3, messageAttributes: { k: 'v' } }))], async (_m, ctx) => {
      seen.push(ctx.attempt, ctx.attributes, ctx.attributes === ctx.attributes);
    }, { logger: false });
    expect(seen).toEqual([3, { k: 'v' }, true]);
    expect(reads).toEqual(['attributes', 'messageAttributes']);
  });

  it('lets destructuring read attempt and attributes; a spread copies the other fields only', async () => {
    const ctx = await contextOf(sqsRecord({ messageId: 'd', receiveCount: 2, messageAttributes: { k: 'v' } }));
    const { attempt, attributes, messageId } = ctx;
    expect({ attempt, attributes, messageId }).toEqual({ attempt: 2, attributes: { k: 'v' }, messageId: 'd' });
    expect(ctx).toMatchObject({ messageId: 'd', attempt: 2, attributes: { k: 'v' } });
    expect(Object.keys({ ...ctx })).not.toContain('attempt');
  });

  it('sets attempt from ApproximateReceiveCount', async () => {
    expect((await contextOf(sqsRecord({ receiveCount: 4 }))).attempt).toBe(4);
    expect((await contextOf(sqsRecord())).attempt).toBe(1);
  });

  it.each([
    ['missing', undefined],
    ['not a number', 'abc'],
    ['zero', '0'],
    ['fractional', '2.5'],
  ])('falls back to attempt 1 when ApproximateReceiveCount is %s', async (_what, value) => {
    const record = sqsRecord();
    (record.attributes as unknown as Record<string, unknown>).ApproximateReceiveCount = value;
    expect((await contextOf(record)).attempt).toBe(1);
  });

  it('maps string attributes to their stringValue and binary ones to base64', async () => {
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    const ctx = await contextOf(sqsRecord({
      messageAttributes: {
        tenant: 'acme',
        count: { stringValue: '3', stringListValues: [], binaryListValues: [], dataType: 'Number' },
        blob: bytes,
      },
    }));
    expect(ctx.attributes).toEqual({ tenant: 'acme', count: '3', blob: Buffer.from(bytes).toString('base64') });
  });

  it('gives an empty attributes object when there are none, or when messageAttributes is unusable', async () => {
    expect((await contextOf(sqsRecord())).attributes).toEqual({});
    const record = sqsRecord();
    (record as unknown as Record<string, unknown>).messageAttributes = null;
    expect((await contextOf(record)).attributes).toEqual({});
  });

  it('sets groupId only on FIFO queues', async () => {
    const [fifo] = fifoEvent([{ groupId: 'g-1' }]).Records;
    expect((await contextOf(fifo!)).groupId).toBe('g-1');
    const standardWithGroup = sqsRecord({ attributes: { MessageGroupId: 'g-2' } });
    expect(await contextOf(standardWithGroup)).not.toHaveProperty('groupId');
  });

  it('sets sns only when an envelope was unwrapped', async () => {
    const ctx = await contextOf(sqsRecord({ body: snsEnvelope({ a: 1 }, { messageId: 'n-1', subject: 's' }) }));
    expect(ctx.sns).toMatchObject({ messageId: 'n-1', subject: 's' });
    expect(await contextOf(sqsRecord({ body: { a: 1 } }))).not.toHaveProperty('sns');
  });

  it('always has an AbortSignal', async () => {
    const ctx = await contextOf(sqsRecord());
    expect(ctx.signal).toBeInstanceOf(AbortSignal);
  });

  it('has the configured logger', async () => {
    const { logger } = captureLogger();
    expect((await contextOf(sqsRecord(), { logger })).logger).toBe(logger);
  });

  it('has lambdaContext only when a context was given', async () => {
    const lc = lambdaContext();
    expect((await contextOf(sqsRecord(), {}, lc)).lambdaContext).toBe(lc);
    expect(await contextOf(sqsRecord())).not.toHaveProperty('lambdaContext');
  });

  it('hands each record of an sqsHandler batch its own context', async () => {
    const seen: [string, string | undefined, number][] = [];
    const handler = sqsHandler({
      logger: false,
      handle: async (_m, ctx) => void seen.push([ctx.messageId, ctx.groupId, ctx.attempt]),
    });
    await handler(sqsEvent(fifoEvent([
      { messageId: 'a', groupId: 'g1', receiveCount: 2 },
      { messageId: 'b', groupId: 'g2', receiveCount: 3 },
    ]).Records), lambdaContext());
    expect(seen.sort()).toEqual([['a', 'g1', 2], ['b', 'g2', 3]]);
  });
});
