/**
 * README "Partial batch responses": a failed message comes back only after its visibility timeout,
 * and after `maxReceiveCount` receives the queue's redrive policy moves it to the DLQ.
 */
import { describe, expect, it } from 'vitest';
import { useEsmHarnesses, waitFor } from '../helpers/local-runtime.ts';

const esm = useEsmHarnesses();

describe('ESM emulator: redelivery and redrive', () => {
  it('redelivers a failed record only after the visibility timeout, with the receive count raised', async () => {
    const h = await esm.start({ visibilityTimeoutSeconds: 2, maxReceiveCount: 5 });
    const received: number[] = [];
    h.emulator.on('received', () => received.push(Date.now()));
    const [id] = await h.send([JSON.stringify({ mode: 'fail' })]);
    h.emulator.start();
    await waitFor(() => h.emulator.counters.batches === 2, 10_000, 'second delivery');
    expect(h.invocations.map((i) => i.ids)).toEqual([[id], [id]]);
    expect(h.invocations.map((i) => i.receiveCounts)).toEqual([['1'], ['2']]);
    // Timestamps are taken when the receive returns, a few ms after SQS starts the 2 s visibility timeout.
    expect(received[1]! - received[0]!).toBeGreaterThanOrEqual(1950);
  });

  it('moves a message that keeps failing to the DLQ after maxReceiveCount receives', async () => {
    const h = await esm.start({ visibilityTimeoutSeconds: 1, maxReceiveCount: 2 });
    const [poison] = await h.send([JSON.stringify({ mode: 'throw' })]);
    h.emulator.start();
    await waitFor(async () => (await h.depth('dlq')).visible === 1, 15_000, 'message in the DLQ');
    await waitFor(async () => (await h.depth('queue')).visible + (await h.depth('queue')).inFlight === 0, 5_000, 'source queue drained');
    expect(h.invocations.map((i) => i.ids)).toEqual([[poison], [poison]]);
    expect(h.emulator.counters).toMatchObject({ batches: 2, succeeded: 0, retried: 2 });
  });
});
