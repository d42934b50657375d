/**
 * The batch engine without middy: `processBatch` for workers and tests, and
 * `runBatch`, which `sqsHandler` calls with options resolved once.
 */
import { BatchRun, DEAD_LETTERED, DELAYED, DUPLICATE, FAILED, PENDING, SKIPPED, STATUS_NAMES, SUCCEEDED } from './batch-run.ts';
import { outcomeOf } from './outcome.ts';
import { checkArray } from './check-event.ts';
import { ConfigError } from './errors.ts';
import { HANDLE_ALLOWED, resolveOptions } from './options.ts';
import type { ResolvedOptions } from './options.ts';
import { runPool } from './pool.ts';
import { logFailure, logSummary } from './report.ts';
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
  checkArray(records);
  const { batchItemFailures, outcomes, stats } = await runBatch(records, handle as Handle<unknown>, opts, context, outcomeOf);
  return { batchItemFailures, outcomes: outcomes!, stats };
}

/** Builds record `i`'s outcome (`outcome.ts`); passed by `processBatch`, so `sqsHandler` bundles need not carry it. */
export type OutcomeBuilder = (run: BatchRun, i: number) => RecordOutcome;

/**
 * Runs a batch (an array, each record checked as the batch starts: `InvalidEventError`)
 * with resolved options.
 *
 * @param outcomes - with it (`processBatch`), the result has `outcomes`; without it
 *   (`sqsHandler`), the `settled` entries of `@middy/sqs-partial-batch-failure`
 */
export async function runBatch(
  records: readonly SqsRecord[],
  handle: Handle<unknown>,
  opts: ResolvedOptions,
  context: LambdaContext | undefined,
  outcomes?: OutcomeBuilder,
): Promise<EngineResult> {
  const run = new BatchRun(records, handle, opts, context, outcomes !== undefined);
  const untilDeadline = run.msUntilDeadline();
  if (untilDeadline !== undefined && untilDeadline <= 0) {
    run.reachDeadline();
  } else {
    // The pool resolves when every record settled, or at once when the deadline finished the batch.
    const timer = untilDeadline === undefined ? undefined : setTimeout(() => run.reachDeadline(), untilDeadline);
    try {
      await runPool(run);
    } finally {
      clearTimeout(timer);
    }
  }
  // Retry features act on the settled batch, unless the deadline already answered.
  if (run.retry !== undefined && !run.finished) await run.retry.apply(run);
  return finish(run, outcomes);
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

function finish(run: BatchRun, outcomeOf: OutcomeBuilder | undefined): EngineResult | Promise<EngineResult> {
  const { n, records, status, errors, originOf, disposition, opts } = run;
  const outcomes = outcomeOf === undefined ? undefined : new Array<RecordOutcome>(n);
  const settled = outcomeOf === undefined ? new Array<Settled>(n).fill(FULFILLED) : undefined;
  const stats: BatchStats = {
    total: n, succeeded: 0, failed: 0, skipped: 0, duplicates: 0, durationMs: 0, maxInFlight: run.maxInFlight,
    deadLettered: 0, delayed: 0, circuitChanges: run.retry?.takeChanges() ?? 0,
  };
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
    const d = disposition[i];
    if (d === DEAD_LETTERED) stats.deadLettered++;
    else if (d === DELAYED) stats.delayed++;
    let ok: boolean;
    if (s === SUCCEEDED) {
      stats.succeeded++;
      ok = true;
    } else if (s === DUPLICATE) {
      stats.duplicates++;
      const original = originOf[i]!;
      ok = status[original] === SUCCEEDED || disposition[original] === DEAD_LETTERED;
    } else {
      if (s === FAILED) stats.failed++;
      else stats.skipped++;
      ok = d === DEAD_LETTERED;
      logFailure(opts, records[i]!, STATUS_NAMES[s]!, errors[i]);
      notify?.push(i);
    }
    if (outcomes !== undefined) outcomes[i] = outcomeOf!(run, i);
    if (!ok) {
      // (Read only here: a succeeded record's fields stay untouched.)
      const messageId = records[i]!.messageId;
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
  // With `metrics`: the features' own metrics after the batch's.
  opts.metrics?.emit(stats, [...(run.retry?.metrics ?? []), ...(extraMetrics ?? [])]);
  const result: EngineResult = { batchItemFailures, stats, outcomes, settled };
  // `onFailure` sees the outcomes the caller gets; it may delay the return, boundedly.
  const waiting = notify && opts.onFailure!.notify(run, notify, outcomes);
  return waiting ? waiting.then(() => result) : result;
}
