/**
 * What the function receives from the emulator: the exact SQS record shape of README "Partial batch responses",
 * the Lambda context, its own environment; plus filter criteria, batching and concurrency.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { md5OfMessageAttributes } from '../../lambda/runtime/testing.ts';
import type { SqsMessageAttribute } from '../../lambda/runtime/index.ts';
import { useEsmHarnesses, waitFor } from '../helpers/local-runtime.ts';

const esm = useEsmHarnesses();

describe('ESM emulator: records, context and environment', () => {
  it('delivers records with the exact Lambda SQS shape', async () => {
    const h = await esm.start({});
    const [id] = await h.send([{
      MessageBody: '{"mode":"ok"}',
      MessageAttributes: {
        eventType: { DataType: 'String', StringValue: 'UserRegistered' },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        count: { DataType: 'Number', StringValue: '42' },
      },
    }]);
    h.emulator.start();
    await waitFor(() => h.invocations.length === 1, 10_000, 'invocation');
    const record = h.invocations[0]!.records[0]!;
    expect(Object.keys(record).sort()).toEqual(['attributes', 'awsRegion', 'body', 'eventSource', 'eventSourceARN', 'md5OfBody', 'md5OfMessageAttributes', 'messageAttributes', 'messageId', 'receiptHandle']);
    expect(record).toMatchObject({
      messageId: id,
      body: '{"mode":"ok"}',
      md5OfBody: createHash('md5').update('{"mode":"ok"}').digest('hex'),
      eventSource: 'aws:sqs',
      eventSourceARN: h.queue.arn,
      awsRegion: esm.server.region,
      messageAttributes: {
        eventType: { stringValue: 'UserRegistered', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
        count: { stringValue: '42', stringListValues: [], binaryListValues: [], dataType: 'Number' },
      },
    });
    expect(record.md5OfMessageAttributes).toBe(md5OfMessageAttributes(record.messageAttributes as Record<string, SqsMessageAttribute>));
    const attributes = record.attributes as Record<string, unknown>;
    expect(Object.keys(attributes).sort()).toEqual(['ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'SenderId', 'SentTimestamp']);
    for (const value of Object.values(attributes)) expect(typeof value).toBe('string');
    expect(attributes.ApproximateReceiveCount).toBe('1');
  });

  it('gives the function a Lambda context and its own environment, never the host environment', async () => {
    process.env.SLUICE_TEST_HOST_SECRET = 'host-only';
    const h = await esm.start({ timeoutSeconds: 4, environment: { FIXTURE_FLAG: 'from-template' } });
    await h.send(['{"mode":"ok"}']);
    h.emulator.start();
    await waitFor(() => h.invocations.length === 1, 10_000, 'invocation');
    const { context, env } = h.invocations[0]!;
    expect(context.functionName).toMatch(/^scripted-/);
    expect(context.memoryLimitInMB).toBe('128');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.remainingMs).toBeGreaterThan(3000);
    expect(context.remainingMs).toBeLessThanOrEqual(4000);
    expect(env).toEqual({ FIXTURE_FLAG: 'from-template', AWS_REGION: esm.server.region, HOST_SECRET: null });
  });

  it('stops remembering message ids after stopTrackingIds (sluice dev --watch), while counting on', async () => {
    const h = await esm.start({});
    await h.send(['{"mode":"ok"}', '{"mode":"ok"}']);
    h.emulator.start();
    await waitFor(() => h.emulator.counters.succeeded === 2, 10_000, 'first messages processed');
    expect(h.emulator.ids.succeeded.size).toBe(2);
    h.emulator.stopTrackingIds();
    expect(h.emulator.ids.succeeded.size).toBe(0);
    await h.send(['{"mode":"ok"}', '{"mode":"ok"}', '{"mode":"ok"}']);
    await waitFor(() => h.emulator.counters.succeeded === 5, 10_000, 'later messages processed');
    expect([h.emulator.ids.received.size, h.emulator.ids.succeeded.size]).toEqual([0, 0]);
  });

  it('deletes records that match no filter without invoking the function', async () => {
    const h = await esm.start({ mapping: { filterPatterns: [{ body: { keep: [true] } }, { body: { force: ['yes'] } }] } });
    const ids = await h.send([
      '{"keep":true}', '{"keep":false}', 'not json',
      { MessageBody: '{"force":"yes"}', MessageAttributes: { force: { DataType: 'String', StringValue: 'no' } } },
    ]);
    h.emulator.start();
    await waitFor(() => h.emulator.counters.filtered === 2 && h.emulator.counters.succeeded === 2, 10_000, 'filtered and processed');
    expect(h.invocations.flatMap((i) => i.ids).sort()).toEqual([ids[0], ids[3]].sort());
    expect([...h.emulator.ids.filtered].sort()).toEqual([ids[1], ids[2]].sort());
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('gathers up to the batch size within the batching window', async () => {
    const h = await esm.start({ mapping: { batchSize: 25, maxBatchingWindowSeconds: 1, concurrency: 1 } });
    await h.send(Array.from({ length: 25 }, (_, n) => JSON.stringify({ mode: 'ok', n })));
    h.emulator.start();
    await waitFor(() => h.emulator.counters.succeeded === 25, 10_000, '25 processed');
    expect(h.invocations.map((i) => i.ids.length)).toEqual([25]);
  });

  it('invokes as soon as a receive returns records when there is no batching window', async () => {
    const h = await esm.start({ mapping: { batchSize: 10, concurrency: 1 } });
    await h.send(Array.from({ length: 3 }, (_, n) => JSON.stringify({ mode: 'ok', n })));
    const t0 = Date.now();
    h.emulator.start();
    await waitFor(() => h.emulator.counters.succeeded === 3, 10_000, '3 processed');
    expect(h.invocations.map((i) => i.ids.length)).toEqual([3]);
    expect(Date.now() - t0).toBeLessThan(900);
  });
});
