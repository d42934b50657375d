import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runChaos } from '../../chaos/chaos-run.ts';
import { formatReport } from '../../chaos/report.ts';

const outDir = mkdtempSync(join(tmpdir(), 'sluice-chaos-test-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('chaos run (small, fixed seed, idempotency on)', () => {
  it('loses none of 1,500 messages under every fault type, each fault type happens, and each processed id has exactly one effect', async () => {
    const report = await runChaos({
      messages: 1500, seed: 7, outDir, progress: false, drainTimeoutSeconds: 50,
      // Rates raised so that every fault type happens several times in 1,500 messages.
      transientRate: 0.05, permanentRate: 0.01, hangRate: 0.003, exitRate: 0.004, slowRate: 0.02, slowMaxMs: 3000,
      duplicateRate: 0.02, workerKills: 2, maxConcurrency: 8,
    });
    const summary = formatReport(report).join('\n');
    const c = report.reconciliation;
    // Nothing lost: every id processed, or in a DLQ with a reason.
    expect({ lost: c.lost, lostIds: c.lostIds, unexplained: c.unexplainedDeadLetters, drained: report.drained, left: report.leftInSourceQueues }, summary)
      .toEqual({ lost: 0, lostIds: [], unexplained: 0, drained: true, left: 0 });
    expect(c.published).toBe(1500);
    expect(c.processed + c.deadLetteredOnly).toBe(1500);
    expect(c.poisonProcessed).toBe(0);
    expect(report.ok, summary).toBe(true);

    const lambda = report.ledger.lambda.faults;
    const worker = report.ledger.worker.faults;
    // Handler throws transient and permanent errors (on both consumers); poison reaches the DLQ at once.
    expect(Math.min(lambda.transient, lambda.permanent, worker.transient, worker.permanent), summary).toBeGreaterThan(0);
    expect(c.deadLetteredVia.runtime, summary).toBeGreaterThan(0);
    // Hangs past the function timeout: the emulator timed the invocation out.
    expect(Math.min(lambda.hang, report.emulator.timeouts), summary).toBeGreaterThan(0);
    // process.exit in the function: a crashed invocation, and its worker thread replaced (cold starts beyond the 8 environments).
    expect(Math.min(lambda.exit, report.emulator.crashes), summary).toBeGreaterThan(0);
    expect(report.emulator.coldStarts, summary).toBeGreaterThan(8);
    // The sluice worker was SIGKILLed mid-batch and restarted.
    expect(report.worker.killsMidBatch, summary).toBeGreaterThan(0);
    expect(report.worker.starts).toBe(report.worker.kills + 1);
    // Duplicates were published and delivered more than once (absorbed by idempotency, below); slow downstream happened; records were retried.
    expect(Math.min(report.duplicatesPublished, report.effects.idsDeliveredMoreThanOnce), summary).toBeGreaterThan(0);
    expect(Math.min(lambda.slow, worker.slow), summary).toBeGreaterThan(0);
    expect(Math.min(report.emulator.retriedRecords, report.ledger.lambda.redeliveries, report.ledger.worker.redeliveries), summary).toBeGreaterThan(0);

    // Exactly-once effects (idempotency is on by default, on both consumers).
    const e = report.effects;
    expect(report.idempotency).toBe(true);
    expect({
      moreThanOnce: e.effectsMoreThanOnce, unexplainedCrashWindow: e.crashWindow.unexplained,
      processedWithoutEffect: e.processedWithoutEffect, poisonWithEffect: e.poisonWithEffect,
    }, summary).toEqual({ moreThanOnce: 0, unexplainedCrashWindow: 0, processedWithoutEffect: 0, poisonWithEffect: 0 });
    // Every processed id has an effect, and the only ids with a second one are those whose
    // first effect was followed by a crash before its key completed.
    expect(e.idsWithEffect, summary).toBe(c.processed);
    expect(e.idsWithSeveralEffects, summary).toBe(e.crashWindow.idsWithSecondEffect);
    expect(e.idsWithOneEffect + e.idsWithSeveralEffects).toBe(e.idsWithEffect);
    // Every processed id's key is COMPLETED in DynamoDB, but one whose only effect was followed by a crash and never retried.
    expect(e.processedWithCompletedKey, summary).toBe(c.processed - e.crashWindow.neverCompleted);
    // The duplicates it absorbed: deliveries that found their key completed and were not run,
    // on both consumers (second publishes, redeliveries after a completed attempt).
    expect(Math.min(report.ledger.lambda.idempotentHits, report.ledger.worker.idempotentHits), summary).toBeGreaterThan(0);
    expect(e.idempotentHits).toBe(report.ledger.lambda.idempotentHits + report.ledger.worker.idempotentHits);
  }, 120_000);
});
