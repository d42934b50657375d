/**
 * The report of a chaos run and its text form.
 */
import type { RoleTotals } from './ledger.ts';
import type { ChaosRole } from './plan.ts';
import type { Reconciliation } from './reconcile.ts';

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
  /** No loss, no unexplained DLQ message, no poison processed, both queues drained. */
  readonly ok: boolean;
  readonly seed: number;
  readonly messages: number;
  readonly outDir: string;
  readonly durationMs: number;
  readonly publishMs: number;
  readonly drained: boolean;
  readonly leftInSourceQueues: number;
  /** SNS publishes (duplicates included). */
  readonly publications: number;
  readonly duplicatesPublished: number;
  readonly reconciliation: Reconciliation;
  /** Attempts, outcomes and faults per consumer, from the ledger. */
  readonly ledger: Record<ChaosRole, RoleTotals>;
  readonly emulator: EmulatorStats;
  readonly worker: { starts: number; kills: number; killsMidBatch: number; exit: number | string; peakRssMiB: number };
  /** Peak RSS of the chaos process (embedded server, emulator and the functions' worker threads). */
  readonly peakRssMiB: number;
}

/** The report as lines for people. */
export function formatReport(r: ChaosReport): string[] {
  const c = r.reconciliation;
  const faults = (role: ChaosRole): string => Object.entries(r.ledger[role].faults).filter(([f]) => f !== 'ok').map(([f, n]) => `${f} ${n}`).join(', ');
  return [
    `${r.ok ? 'PASSED' : 'FAILED'}: seed ${r.seed}, ${r.messages} messages, ${(r.durationMs / 1000).toFixed(1)} s (publishing ${(r.publishMs / 1000).toFixed(1)} s), ${r.drained ? 'drained' : 'NOT drained'}`,
    `  published      ${r.publications} publishes (${r.duplicatesPublished} duplicates) of ${c.published} ids`,
    `  processed      ${c.processed} ids at least once; ${c.duplicateIds} ids more than once (${c.extraProcessings} extra processings)`,
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
