/**
 * The report of a chaos run and its text form.
 */
import type { RoleTotals } from './ledger.ts';
import type { ChaosRole } from './plan.ts';
import type { EffectsReconciliation, Reconciliation } from './reconcile.ts';

/** What the emulator saw of the Lambda consumer. */
export interface EmulatorStats {
  invocations: number;
  /** Invocations that hit the function timeout (the worker thread was terminated). */
  timeouts: number;
  /** Invocations whose execution environment died (`process.exit`, uncaught error). */
  crashes: number;
  /** Invocations that started a new execution environment (first ones and replacements). */
  coldStarts: number;
  /** Records left for redelivery (partial failures and whole failed batches). */
  retriedRecords: number;
  sqsErrors: number;
}

/** Everything a chaos run measured. */
export interface ChaosReport {
  /**
   * No loss, no unexplained DLQ message, no poison processed, both queues drained, every
   * processed id with an effect and no poison with one; with idempotency also no id with
   * more than one effect beyond the crash window (and every crash-window effect explained).
   */
  readonly ok: boolean;
  readonly seed: number;
  readonly messages: number;
  /** Whether the handler protected its effect with `idempotency`. */
  readonly idempotency: boolean;
  readonly outDir: string;
  readonly durationMs: number;
  readonly publishMs: number;
  readonly drained: boolean;
  readonly leftInSourceQueues: number;
  /** SNS publishes (duplicates included). */
  readonly publications: number;
  readonly duplicatesPublished: number;
  readonly reconciliation: Reconciliation;
  /** The side-effect ledger's accounting. */
  readonly effects: EffectsReconciliation;
  /** Attempts, outcomes and faults per consumer, from the ledger. */
  readonly ledger: Record<ChaosRole, RoleTotals>;
  readonly emulator: EmulatorStats;
  readonly worker: { starts: number; kills: number; killsMidBatch: number; exit: number | string; peakRssMiB: number };
  /** Peak RSS of the chaos process (embedded server, emulator and the functions' worker threads). */
  readonly peakRssMiB: number;
}

/** The effect lines of the report. */
function effectLines(r: ChaosReport): string[] {
  const e = r.effects;
  const w = e.crashWindow;
  const hits = `${e.idempotentHits} idempotent hits (deliveries that found their key completed and were not run: lambda ${r.ledger.lambda.idempotentHits}, worker ${r.ledger.worker.idempotentHits}); ${r.ledger.lambda.inProgressRefusals + r.ledger.worker.inProgressRefusals} refusals of a key in progress (retried)`;
  const deliveries = `  deliveries     ${e.idsDeliveredMoreThanOnce} ids delivered to a succeeding handler more than once (${e.extraDeliveries} extra deliveries)`;
  const perId = `${e.effects} effects of ${e.idsWithEffect} ids; ${e.idsWithOneEffect} ids with exactly one, ${e.idsWithSeveralEffects} with more (${e.extraEffects} extra)`;
  if (!e.idempotency) {
    return [
      `  idempotency    off (--idempotency false): nothing absorbs a redelivery or a second publish`,
      deliveries,
      `  effects        ${perId}`,
      `  effects more than once: ${e.effectsMoreThanOnce} ids (unprotected: no idempotency)`,
      `  effect checks  processed without an effect ${e.processedWithoutEffect}, poison with an effect ${e.poisonWithEffect}`,
    ];
  }
  return [
    `  idempotency    on (DynamoDB store, embedded dynalite): ${hits}`,
    deliveries,
    `  effects        ${perId}; keys completed in DynamoDB for ${e.processedWithCompletedKey} of the ${r.reconciliation.processed} processed ids`,
    `  effects more than once: ${e.effectsMoreThanOnce}${e.effectsMoreThanOnce > 0 ? `: ${e.effectsMoreThanOnceIds.join(' ')}` : ''} (an effect after a delivery of the same id had completed its key)`,
    `  crash window   ${w.effects} effects whose invocation died before the guard returned from completing the key (lambda ${w.lambda} in ${w.lambdaEnvironments} of the ${r.emulator.crashes + r.emulator.timeouts} environments that crashed or timed out, worker ${w.worker} in ${w.workerProcesses} of the ${r.worker.kills} SIGKILLed processes; ${w.unexplained} unexplained):`,
    `                 ${w.completedAnyway} had completed in DynamoDB already (later copies were hits); ${w.neverCompleted} never completed (not run again)`,
    `  effects after which the invocation crashed before completing: ${w.reRun} (a retry ran the effect again: ${w.idsWithSecondEffect} ids with a second effect; idempotency cannot cover this without a transactional effect)`,
    `  effect checks  processed without an effect ${e.processedWithoutEffect}, poison with an effect ${e.poisonWithEffect}`,
  ];
}

/** The report as lines for people. */
export function formatReport(r: ChaosReport): string[] {
  const c = r.reconciliation;
  const faults = (role: ChaosRole): string => Object.entries(r.ledger[role].faults).filter(([f]) => f !== 'ok').map(([f, n]) => `${f} ${n}`).join(', ');
  return [
    `${r.ok ? 'PASSED' : 'FAILED'}: seed ${r.seed}, ${r.messages} messages, ${(r.durationMs / 1000).toFixed(1)} s (publishing ${(r.publishMs / 1000).toFixed(1)} s), ${r.drained ? 'drained' : 'NOT drained'}`,
    `  published      ${r.publications} publishes (${r.duplicatesPublished} duplicates) of ${c.published} ids`,
    `  processed      ${c.processed} ids at least once; handle ran to the end more than once for ${c.duplicateIds} ids (${c.extraProcessings} extra processings)`,
    ...effectLines(r),
    `  dead-lettered  ${c.deadLettered} ids (runtime at once ${c.deadLetteredVia.runtime}, maxReceiveCount exceeded ${c.deadLetteredVia.maxReceiveCount}, subscription ${c.deadLetteredVia.subscription}); ${c.deadLetteredOnly} never processed`,
    `  poison         ${c.poisonPlanned} planned, ${c.poisonDeadLetteredByRuntime} dead-lettered by the runtime, ${c.poisonProcessed} processed`,
    `  retries        ${r.emulator.retriedRecords} records retried by the emulator, ${r.ledger.lambda.redeliveries + r.ledger.worker.redeliveries} redelivered attempts, ${r.ledger.lambda.failed + r.ledger.worker.failed} failed attempts`,
    `  lambda faults  ${faults('lambda')}; ${r.emulator.invocations} invocations, ${r.emulator.timeouts} timeouts, ${r.emulator.crashes} crashes, ${r.emulator.coldStarts} cold starts`,
    `  worker faults  ${faults('worker')}; ${r.worker.kills} SIGKILLs (${r.worker.killsMidBatch} mid-batch), ${r.worker.starts} starts, last exit ${r.worker.exit}`,
    `  peak RSS       chaos process ${r.peakRssMiB} MiB, sluice worker ${r.worker.peakRssMiB} MiB`,
    `  unexplained    ${c.unexplainedDeadLetters} DLQ messages without a reason; ${r.leftInSourceQueues} left in source queues`,
    `  LOST           ${c.lost}${c.lost > 0 ? `: ${c.lostIds.join(' ')}` : ''}`,
    `  ledger and logs: ${r.outDir}`,
  ];
}
