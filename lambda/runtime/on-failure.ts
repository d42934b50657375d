/**
 * The `onFailure` option (README "The runtime"), made by `notifyFailures(callback)`: the
 * callback runs once per record that did not succeed, after the batch settled. Its throw or
 * rejection is logged and never changes an outcome; the promises it returns are awaited for
 * a bounded time only, so a batch cut off at the deadline still returns before the Lambda
 * timeout.
 */
import { isThenable } from './batch-run.ts';
import type { BatchRun } from './batch-run.ts';
import { toError } from './errors.ts';
import { outcomeOf } from './outcome.ts';
import { errorFields } from './report.ts';
import type { FailureBatch, FailureNotifier, FailureRuntime, OnFailure, RecordOutcome } from './types.ts';
import { problem } from './validate-options.ts';

/** Longest wait for the promises `onFailure` returned, in milliseconds. */
export const ON_FAILURE_WAIT_MS = 5000;

/**
 * Calls `onFailure` for each record of `indices`, then waits for the promises it returned,
 * all in parallel: at most {@link ON_FAILURE_WAIT_MS}, and with a Lambda deadline only
 * until half of `deadlineMarginMs` is left. Calls still running then are not waited for
 * (a later rejection is still caught and logged).
 *
 * @param outcomes - the batch's outcomes when the caller gets them (`processBatch`); built here otherwise
 * @returns `undefined` when no call returned a promise (nothing to wait for), else a
 *   promise that resolves when the calls settled or the wait ended
 */
function notifyEach(
  run: BatchRun,
  onFailure: OnFailure,
  indices: readonly number[],
  outcomes: readonly RecordOutcome[] | undefined,
): Promise<void> | undefined {
  const { logger, logFailures, deadlineMarginMs } = run.opts;
  const pending: Promise<unknown>[] = [];
  for (const i of indices) {
    const messageId = run.records[i]!.messageId;
    const report = (thrown: unknown): void => {
      logger.warn('onFailure threw', { messageId, ...errorFields(toError(thrown), logFailures === 'detailed') });
    };
    try {
      const result = onFailure(outcomes?.[i] ?? outcomeOf(run, i), run.contextOf(i));
      if (isThenable(result)) pending.push(Promise.resolve(result).then(undefined, report));
    } catch (thrown) {
      report(thrown);
    }
  }
  if (pending.length === 0) return undefined;
  const left = run.msUntilDeadline();
  const waitMs = Math.max(0, Math.min(ON_FAILURE_WAIT_MS, left === undefined ? ON_FAILURE_WAIT_MS : left + deadlineMarginMs / 2));
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, waitMs, true);
  });
  return Promise.race([Promise.all(pending).then(() => false), gaveUp]).then((late) => {
    clearTimeout(timer);
    if (late) logger.warn('onFailure not awaited further', { waitedMs: waitMs });
  });
}

/** What is allowed for the callback, in problems. */
const CALLBACK_ALLOWED = 'a function (outcome, ctx)';

/**
 * The `onFailure` option: `callback(outcome, ctx)` once per record that `failed` or was
 * `skipped`, after the batch settled (see {@link OnFailure}). A throw or rejection is logged
 * at warn and never changes an outcome; returned promises are awaited together, at most
 * {@link ON_FAILURE_WAIT_MS} and, with a Lambda deadline, only until half of
 * `deadlineMarginMs` is left.
 *
 * An import rather than a plain function option: only handlers that use it carry the code
 * that builds outcomes and bounds the wait.
 *
 * @param callback - `(outcome, ctx) => void | Promise<void>`
 * @returns the value of the `onFailure` option
 * @example
 * import { notifyFailures, sqsHandler } from 'sluice';
 *
 * export const handler = sqsHandler({
 *   onFailure: notifyFailures(async (outcome, ctx) => {
 *     await alerts.send({ messageId: outcome.messageId, status: outcome.status, attempt: ctx.attempt });
 *   }),
 *   async handle(order) { await ship(order); },
 * });
 */
export function notifyFailures(callback: OnFailure): FailureNotifier {
  return Object.freeze({
    kind: 'onFailure',
    callback,
    attach(problems: string[]): FailureRuntime | undefined {
      if (typeof callback !== 'function') {
        problems.push(problem('onFailure', callback, `notifyFailures(${CALLBACK_ALLOWED})`));
        return undefined;
      }
      return Object.freeze({ notify: (batch: FailureBatch, indices: readonly number[], outcomes: readonly RecordOutcome[] | undefined) => notifyEach(batch as BatchRun, callback, indices, outcomes) });
    },
  });
}
