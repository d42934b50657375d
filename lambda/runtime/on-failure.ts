/**
 * The `onFailure` option (README "The runtime"): called once per record that did not succeed, after
 * the batch settled. Its throw or rejection is logged and never changes an outcome; the
 * promises it returns are awaited for a bounded time only, so a batch cut off at the
 * deadline still returns before the Lambda timeout.
 */
import { isThenable } from './batch-run.ts';
import type { BatchRun } from './batch-run.ts';
import { toError } from './errors.ts';
import { errorFields } from './report.ts';
import type { OnFailure, RecordOutcome } from './types.ts';

/** Longest wait for the promises `onFailure` returned, in milliseconds. */
export const ON_FAILURE_WAIT_MS = 5000;

/**
 * Calls `onFailure` for each record of `indices`, then waits for the promises it returned,
 * all in parallel: at most {@link ON_FAILURE_WAIT_MS}, and with a Lambda deadline only
 * until half of `deadlineMarginMs` is left. Calls still running then are not waited for
 * (a later rejection is still caught and logged).
 *
 * @returns `undefined` when no call returned a promise (nothing to wait for), else a
 *   promise that resolves when the calls settled or the wait ended
 */
export function notifyFailures(
  run: BatchRun,
  onFailure: OnFailure,
  indices: readonly number[],
  outcomeOf: (i: number) => RecordOutcome,
): Promise<void> | undefined {
  const { logger, logFailures, deadlineMarginMs } = run.opts;
  const pending: Promise<unknown>[] = [];
  for (const i of indices) {
    const messageId = run.records[i]!.messageId;
    const report = (thrown: unknown): void => {
      logger.warn('onFailure threw', { messageId, ...errorFields(toError(thrown), logFailures === 'detailed') });
    };
    try {
      const result = onFailure(outcomeOf(i), run.contextOf(i));
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
