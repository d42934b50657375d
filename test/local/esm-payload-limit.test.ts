/**
 * Lambda's 6 MB synchronous payload limit: the emulator cuts a batch so the whole event
 * stays within it (messages beyond the cut start the next batch, received once), and a
 * response over it fails the invocation (whole batch retried).
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import type { SqsEvent } from '../../lambda/runtime/index.ts';
import { sqsEvent } from '../../lambda/runtime/testing.ts';
import { LambdaInvoker, MAX_PAYLOAD_BYTES } from '../../lib/local/emulator/index.ts';
import { bundleFixture, useEsmHarnesses, waitFor } from '../helpers/local-runtime.ts';

const SIX_MIB = 6 * 1024 * 1024;

const esm = useEsmHarnesses();

describe('invocation payload limit', () => {
  it('is 6 MiB', () => {
    expect(MAX_PAYLOAD_BYTES).toBe(SIX_MIB);
  });

  it('splits ten 1 MB messages into several invocations of at most 6 MiB, each message received once', async () => {
    const sizes: number[] = [];
    const h = await esm.start({
      mapping: { batchSize: 10, concurrency: 1 },
      environment: { FIXTURE_LOG: 'ids' },
      onInvoke: (event: SqsEvent) => { sizes.push(Buffer.byteLength(JSON.stringify(event))); },
    });
    const body = (n: number): string => JSON.stringify({ mode: 'ok', n, pad: 'x'.repeat(1_000_000) });
    const ids: string[] = [];
    for (let n = 0; n < 10; n++) {
      const sent = await h.sqs.send(new SendMessageCommand({ QueueUrl: h.queue.url, MessageBody: body(n) }));
      ids.push(sent.MessageId ?? '');
    }
    h.emulator.start();
    await waitFor(() => h.emulator.counters.succeeded === 10, 30_000, 'ten large messages processed');
    expect(sizes.length).toBeGreaterThan(1);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(SIX_MIB);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeGreaterThan(10_000_000);
    expect(h.invocations.flatMap((i) => i.ids).sort()).toEqual([...ids].sort());
    expect(h.invocations.flatMap((i) => i.receiveCounts)).toEqual(Array.from({ length: 10 }, () => '1'));
    expect(h.emulator.counters).toMatchObject({ received: 10, invoked: 10, succeeded: 10, retried: 0 });
    expect(h.emulator.inFlight).toBe(0);
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('fails an invocation whose response is over 6 MiB: the whole batch is retried', async () => {
    const h = await esm.start({});
    const reasons: string[] = [];
    h.emulator.on('batch', (b) => { if (b.verdict.kind === 'batch-failed') reasons.push(b.verdict.reason); });
    await h.send([JSON.stringify({ mode: 'return-oversized' }), JSON.stringify({ mode: 'ok' })]);
    h.emulator.start();
    await waitFor(() => h.emulator.counters.batches === 1, 15_000, 'the oversized response applied');
    expect(h.emulator.counters).toMatchObject({ succeeded: 0, retried: 2, batchErrors: 1 });
    expect(reasons[0]).toMatch(/^error: Function\.ResponseSizeTooLarge: Response payload size \(\d+ bytes\) exceeded maximum allowed payload size \(6291456 bytes\)/);
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 2 });
  });

  it('refuses a request event over 6 MiB without running the function', async () => {
    const invoker = new LambdaInvoker({
      fn: { name: 'noop', arn: 'arn:aws:lambda:us-east-1:000000000000:function:noop', assetDir: await bundleFixture('noop'), handler: 'index.handler', timeoutSeconds: 3, memoryMiB: 128, environment: {} },
      region: 'us-east-1', endpoint: 'http://127.0.0.1:9',
    });
    try {
      const event = sqsEvent(Array.from({ length: 7 }, (_, i) => ({ messageId: `m-${i}`, body: 'y'.repeat(1_000_000) })));
      const { outcome } = await invoker.invoke(event);
      expect(outcome).toMatchObject({ status: 'error', errorName: 'RequestEntityTooLargeException' });
    } finally {
      await invoker.close();
    }
  });
});
