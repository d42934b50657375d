/**
 * Bounded concurrency: a fixed pool of at most `concurrency` lanes pulling work in record
 * order. Nothing is created per record up front, and no closure of the pool's own per
 * record: each lane runs records synchronously until `handle` returns a promise, then hands
 * that promise its own two callbacks (made once per lane) and goes on when it settles. A
 * pending record costs one `then` (a reaction and its derived promise), with no async frame
 * to resume and no exception thrown into one for a rejection; a record that settled
 * synchronously costs neither.
 */
import { FAILED, PENDING } from './batch-run.ts';
import type { BatchRun } from './batch-run.ts';

/**
 * Runs every record of the batch; resolves when all settled, or at once when the deadline
 * finished the batch.
 *
 * A standard batch: the records in order, `concurrency` at a time. A FIFO batch: each
 * message group strictly in order, one record at a time; different groups in parallel up
 * to `concurrency`. After a failure the group's later records are skipped (`skip-group`),
 * or every record not yet started (`stop-batch`).
 *
 * Rejects only if the engine itself throws (never for a record's failure).
 */
export function runPool(run: BatchRun): Promise<unknown> {
  const groups = run.fifo ? run.groups() : undefined;
  const units = groups === undefined ? run.n : groups.length;
  const stopBatch = run.opts.onGroupFailure === 'stop-batch';
  const { status, errors } = run;
  const lanes = Math.min(run.opts.concurrency, units);
  let next = 0;
  let active = lanes;
  return new Promise<void>((resolve, reject) => {
    run.onDeadline = resolve;
    const lane = (): void => {
      // The lane's FIFO group (none in a standard batch), how many of its records were
      // taken, its failure, and the record last taken.
      let group: readonly number[] | undefined;
      let k = 0;
      let groupError: Error | undefined;
      let i = -1;
      /** Whether record `i` is pending: `advance` is then its fulfillment callback. */
      let waiting = false;
      /**
       * Runs records until one is pending. Called by the lane, by `fail` after a rejection,
       * and directly as the fulfillment callback (a frame fewer under each next `handle`,
       * so in the stack of every error it creates).
       */
      const advance = (): void => {
        try {
          if (waiting) {
            waiting = false;
            run.succeeded(i);
          }
          for (;;) {
            if (i >= 0) {
              if (run.finished) break; // the deadline answered the batch
              if (group !== undefined && (status[i]! as number) === FAILED) {
                groupError = errors[i];
                if (stopBatch) run.stopError ??= groupError;
              }
            }
            if (group !== undefined && k < group.length) {
              i = group[k++]!;
            } else {
              if (next >= units) break;
              const unit = next++;
              group = groups?.[unit];
              groupError = undefined;
              k = 1;
              i = group === undefined ? unit : group[0]!;
            }
            if (status[i] !== PENDING) continue; // a duplicate found up front
            const stop = groupError ?? run.stopError;
            if (stop !== undefined) {
              run.skip(i, stop);
              continue;
            }
            if (run.mustStop()) break;
            const pending = run.start(i);
            if (pending !== undefined) {
              // (`Promise.resolve` returns a native promise as it is; anything else, a thenable
              // that might call back twice or at once included, is adopted by a new one.)
              waiting = true;
              Promise.resolve(pending).then(advance, fail);
              return;
            }
          }
          if (--active === 0) resolve();
        } catch (error) {
          reject(error);
        }
      };
      const fail = (thrown: unknown): void => {
        waiting = false;
        try {
          run.failed(i, thrown);
        } catch (error) {
          reject(error);
          return;
        }
        advance();
      };
      advance();
    };
    if (lanes === 0) resolve();
    for (let w = 0; w < lanes; w++) lane();
  });
}
