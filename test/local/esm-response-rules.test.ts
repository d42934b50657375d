/**
 * README "Partial batch responses": one test per rule, each on a fresh queue of the
 * embedded server, through the real emulator and the bundled scripted fixture handler.
 */
import { describe, expect, it } from 'vitest';
import { useEsmHarnesses, waitFor } from '../helpers/local-runtime.ts';
import type { EsmHarness, HarnessOptions } from '../helpers/local-runtime.ts';

const esm = useEsmHarnesses();

const body = (mode: string, n = 0): string => JSON.stringify({ mode, n });

/** Sends `bodies` before polling starts (so they form one batch), runs until one batch is applied. */
async function runOneBatch(bodies: string[], options: HarnessOptions = {}): Promise<{ h: EsmHarness; ids: string[] }> {
  const h = await esm.start(options);
  const ids = await h.send(bodies);
  h.emulator.start();
  await waitFor(() => h.emulator.counters.batches === 1, 15_000, 'one batch applied');
  return { h, ids };
}

describe('ESM emulator: partial batch response rules', () => {
  it('retries only the returned itemIdentifiers and deletes the others', async () => {
    const { h, ids } = await runOneBatch([body('ok'), body('fail'), body('ok')]);
    expect(h.invocations[0]?.ids).toEqual(ids);
    expect(h.emulator.counters).toMatchObject({ invoked: 3, succeeded: 2, retried: 1, batchErrors: 0 });
    expect([...h.emulator.ids.succeeded].sort()).toEqual([ids[0], ids[2]].sort());
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 1 });
  });

  for (const mode of ['return-empty-list', 'return-null-list', 'return-null', 'return-undefined', 'return-empty-object']) {
    it(`deletes the whole batch when the function answers ${mode.slice(7)}`, async () => {
      const { h } = await runOneBatch([body(mode), body('fail'), body('ok')]);
      expect(h.emulator.counters).toMatchObject({ invoked: 3, succeeded: 3, retried: 0, batchErrors: 0 });
      expect(await h.depth()).toEqual({ visible: 0, inFlight: 0 });
    });
  }

  it('retries the whole batch when the function throws', async () => {
    const { h } = await runOneBatch([body('ok'), body('throw'), body('ok')]);
    expect(h.emulator.counters).toMatchObject({ invoked: 3, succeeded: 0, retried: 3, batchErrors: 1 });
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 3 });
  });

  it('retries the whole batch when the function times out, and cuts the invocation off at the timeout', async () => {
    const events: { kind: string; durationMs: number }[] = [];
    const h = await esm.start({ timeoutSeconds: 1 });
    h.emulator.on('batch', (b) => events.push({ kind: b.verdict.kind, durationMs: b.durationMs }));
    await h.send([body('ok'), body('hang')]);
    h.emulator.start();
    await waitFor(() => h.emulator.counters.batches === 1, 10_000, 'timed-out batch applied');
    expect(events[0]?.kind).toBe('batch-failed');
    expect(events[0]?.durationMs).toBeGreaterThanOrEqual(1000);
    expect(events[0]?.durationMs).toBeLessThan(3000);
    expect(h.invocations[0]?.context.remainingMs).toBeLessThanOrEqual(1000);
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 2 });
  });

  for (const mode of ['return-bigint', 'return-string']) {
    it(`retries the whole batch when the response is unusable (${mode.slice(7)})`, async () => {
      const { h } = await runOneBatch([body(mode), body('ok')]);
      expect(h.emulator.counters).toMatchObject({ succeeded: 0, retried: 2, batchErrors: 1 });
      expect(await h.depth()).toEqual({ visible: 0, inFlight: 2 });
    });
  }

  for (const mode of ['id-empty', 'id-null', 'id-unknown', 'id-bad-key']) {
    it(`retries the whole batch when an itemIdentifier is invalid (${mode})`, async () => {
      const { h } = await runOneBatch([body(mode), body('ok'), body('ok')]);
      expect(h.emulator.counters).toMatchObject({ succeeded: 0, retried: 3, batchErrors: 1 });
      expect(await h.depth()).toEqual({ visible: 0, inFlight: 3 });
    });
  }

  it('deletes everything a non-throwing function returns without ReportBatchItemFailures', async () => {
    const { h } = await runOneBatch([body('fail'), body('id-unknown'), body('ok')], { mapping: { reportBatchItemFailures: false } });
    expect(h.emulator.counters).toMatchObject({ succeeded: 3, retried: 0, batchErrors: 0 });
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 0 });
  });

  it('still retries the whole batch on a throw without ReportBatchItemFailures', async () => {
    const { h } = await runOneBatch([body('throw'), body('ok')], { mapping: { reportBatchItemFailures: false } });
    expect(h.emulator.counters).toMatchObject({ succeeded: 0, retried: 2, batchErrors: 1 });
    expect(await h.depth()).toEqual({ visible: 0, inFlight: 2 });
  });
});
