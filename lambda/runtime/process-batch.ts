/**
 * The batch engine without middy: `processBatch` for workers and tests, and
 * `runBatch`, which `sqsHandler` calls with options resolved once.
 */
import { BatchRun, DEAD_LETTERED, DELAYED, DUPLICATE, FAILED, PENDING, SKIPPED, STATUS_NAMES, SUCCEEDED } from './batch-run.ts';
import { checkRecords } from './check-event.ts';
import { ConfigError } from './errors.ts';
import { HANDLE_ALLOWED, resolveOptions } from './options.ts';
import type { ResolvedOptions } from './options.ts';
import { notifyFailures } from './on-failure.ts';
import { runPool } from './pool.ts';
import { emitMetrics, logFailure, logSummary } from './report.ts';
import { problem } from './validate-options.ts';
import type { BatchItemFailure, BatchOptions, BatchResult, BatchStats, Handle, LambdaContext, RecordOutcome, SqsRecord } from './types.ts';

const resolvedCache = new WeakMap<object, ResolvedOptions>();

/** Validates and resolves options once per options object. */
export function resolveBatchOptions(options: unknown): ResolvedOptions {
  if (typeof options === 'object' && options !== null) {
    const hit = resolvedCache.get(options);
    if (hit !== undefined) return hit;
    const resolved = resolveOptions(options);
    resolvedCache.set(options, resolved);
    return resolved;
  }
  return resolveOptions(options);
}

/**
 * Processes SQS records with bounded parallelism and reports partial batch failures.
 *
 * The same engine as `sqsHandler`, without middy: for workers, custom wiring and tests.
 * Every record ends in exactly one outcome; `batchItemFailures` lists, in record order
 * and at most once per `messageId`, every record that did not succeed.
 *
 * @param records - the event's `Records`
 * @param handle - called with each decoded message; throw to fail the record
 * @param options - batch options (README "The runtime"); validated on first use of the object
 * @param context - the Lambda context; enables the deadline
 * @returns outcomes in record order, stats and `batchItemFailures`
 * @throws {ConfigError} (rejects) for a bad `handle` or bad options
 * @throws {InvalidEventError} (rejects) when a record could not be reported
 * @example
 * const { batchItemFailures } = await processBatch(event.Records, async (order) => {
 *   await ship(order);
 * }, { concurrency: 20, schema: Order });
 */
export async function processBatch<T = unknown>(
  records: readonly SqsRecord[],
  handle: Handle<T>,
  options?: BatchOptions<T>,
  context?: LambdaContext,
): Promise<BatchResult> {
  if (typeof handle !== 'function') {
    throw new ConfigError([problem('handle', handle, HANDLE_ALLOWED)]);
  }
  const opts = resolveBatchOptions(options);
  checkRecords(records);
  const { batchItemFailures, outcomes, stats } = await runBatch(records, handle as Handle<unknown>, opts, context, 'outcomes');
  return { batchItemFailures, outcomes: outcomes!, stats };
}

/** Runs a checked batch with resolved options. */
export async function runBatch(
  records: readonly SqsRecord[],
  handle: Handle<unknown>,
  opts: ResolvedOptions,
  context: LambdaContext | undefined,
  mode: 'outcomes' | 'settled',
): Promise<EngineResult> {
  const run = new BatchRun(records, handle, opts, context);
  const untilDeadline = run.msUntilDeadline();
  if (untilDeadline !== undefined && untilDeadline <= 0) {
    run.reachDeadline();
    return finish(run, mode);
  }
  if (untilDeadline === undefined) {
    await runPool(run);
    return settle(run, mode);
  }
  const deadline = new Promise<void>((resolve) => run.setDeadlineListener(resolve));
  const timer = setTimeout(() => run.reachDeadline(), untilDeadline);
  try {
    await Promise.race([runPool(run), deadline]);
  } finally {
    clearTimeout(timer);
  }
  return settle(run, mode);
}

/** Applies retry features (unless the deadline already answered), then reports. */
async function settle(run: BatchRun, mode: 'outcomes' | 'settled'): Promise<EngineResult> {
  const retry = run.retry;
  if (retry !== undefined && !run.finished) await retry.apply(run);
  return finish(run, mode);
}

/** One entry per record, as `@middy/sqs-partial-batch-failure` reads a handler's response. */
export type Settled = { status: 'fulfilled' } | { status: 'rejected'; reason: unknown };

const FULFILLED: Settled = Object.freeze({ status: 'fulfilled' });

/**
 * What a finished batch reports: `outcomes` for `processBatch`, or for `sqsHandler` the
 * `settled` entries its middleware turns into `batchItemFailures` (one rejected entry
 * per reported `messageId`, at its first unsuccessful record, so the middleware's list
 * equals the engine's, in the same order). Only one of the two is built.
 */
export interface EngineResult {
  batchItemFailures: BatchItemFailure[];
  stats: BatchStats;
  outcomes: RecordOutcome[] | undefined;
  settled: Settled[] | undefined;
}

/** The outcome of final record `i`. */
function outcomeOf(run: BatchRun, i: number): RecordOutcome {
  const outcome: RecordOutcome = { messageId: run.records[i]!.messageId, status: STATUS_NAMES[run.status[i]!]!, durationMs: run.durations[i]! };
  const error = run.errors[i];
  if (error !== undefined) outcome.error = error;
  const d = run.disposition[i];
  if (d === DEAD_LETTERED) outcome.disposition = 'dead-lettered';
  else if (d === DELAYED) {
    outcome.disposition = 'delayed';
    outcome.visibilityTimeoutSeconds = run.visibility[i]!;
  }
  return outcome;
}

function finish(run: BatchRun, mode: 'outcomes' | 'settled'): EngineResult | Promise<EngineResult> {
  const { n, records, status, errors, originOf, disposition, opts } = run;
  const outcomes = mode === 'outcomes' ? new Array<RecordOutcome>(n) : undefined;
  const settled = mode === 'settled' ? new Array<Settled>(n).fill(FULFILLED) : undefined;
  const stats: BatchStats = {
    total: n, succeeded: 0, failed: 0, skipped: 0, duplicates: 0, durationMs: 0, maxInFlight: run.maxInFlight,
    deadLettered: 0, delayed: 0, circuitChanges: run.retry?.takeChanges() ?? 0,
  };
  const resolved = (i: number): boolean => status[i] === SUCCEEDED || disposition[i] === DEAD_LETTERED;
  const batchItemFailures: BatchItemFailure[] = [];
  let reported: Set<string> | undefined;
  const notify: number[] | undefined = opts.onFailure === undefined ? undefined : [];
  for (let i = 0; i < n; i++) {
    let s = status[i]!;
    if (s === PENDING) {
      // Only `stop-batch` leaves records unstarted without the deadline.
      run.skip(i, run.stopError ?? new Error('not started'));
      s = SKIPPED;
    }
    const messageId = records[i]!.messageId;
    const d = disposition[i];
    if (d === DEAD_LETTERED) stats.deadLettered++;
    else if (d === DELAYED) stats.delayed++;
    let ok: boolean;
    if (s === SUCCEEDED) {
      stats.succeeded++;
      ok = true;
    } else if (s === DUPLICATE) {
      stats.duplicates++;
      ok = resolved(originOf[i]!);
    } else {
      if (s === FAILED) stats.failed++;
      else stats.skipped++;
      ok = d === DEAD_LETTERED;
      logFailure(opts, records[i]!, STATUS_NAMES[s]!, errors[i]);
      notify?.push(i);
    }
    if (outcomes !== undefined) outcomes[i] = outcomeOf(run, i);
    if (!ok) {
      reported ??= new Set();
      if (!reported.has(messageId)) {
        reported.add(messageId);
        batchItemFailures.push({ itemIdentifier: messageId });
        if (settled !== undefined) settled[i] = { status: 'rejected', reason: errors[i] ?? errors[originOf[i]!] };
      }
    }
  }
  stats.durationMs = Math.round((performance.now() - run.startTime) * 1000) / 1000;
  // With `idempotency`, its guard adds its counts (and metrics) first.
  const extraMetrics = run.onSettle?.(stats, outcomes);
  logSummary(opts, stats);
  emitMetrics(opts, stats, extraMetrics);
  const result: EngineResult = { batchItemFailures, stats, outcomes, settled };
  // `onFailure` sees the outcomes the caller gets; it may delay the return, boundedly.
  const waiting = notify && notifyFailures(run, opts.onFailure!, notify, (i) => outcomes?.[i] ?? outcomeOf(run, i));
  return waiting ? waiting.then(() => result) : result;
}
