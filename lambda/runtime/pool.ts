/**
 * Bounded concurrency: a fixed pool of at most `concurrency` workers pulling work in
 * record order. No promise or closure is created per record up front; each worker is
 * one async loop that awaits the promise `handle` returned itself, so the per-record cost
 * is that one `await` (none for a record that settled synchronously).
 */
import { FAILED, PENDING } from './batch-run.ts';
import type { BatchRun } from './batch-run.ts';

/**
 * Runs every record of the batch; resolves when all settled (or the deadline ended the batch).
 *
 * A standard batch: the records in order, `concurrency` at a time. A FIFO batch: each
 * message group strictly in order, one record at a time; different groups in parallel up
 * to `concurrency`. After a failure the group's later records are skipped (`skip-group`),
 * or every record not yet started (`stop-batch`).
 */
export function runPool(run: BatchRun): Promise<unknown> {
  const groups = run.fifo ? run.groups() : undefined;
  const units = groups === undefined ? run.n : groups.length;
  const stopBatch = run.opts.onGroupFailure === 'stop-batch';
  const { status, errors } = run;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < units) {
      const unit = next++;
      // A standard batch is groups of one record (which never skip each other).
      const group = groups?.[unit];
      let groupError: Error | undefined;
      for (let k = 0, size = group === undefined ? 1 : group.length; k < size; k++) {
        const i = group === undefined ? unit : group[k]!;
        if (status[i] !== PENDING) continue; // a duplicate found up front
        const stop = groupError ?? run.stopError;
        if (stop !== undefined) {
          run.skip(i, stop);
          continue;
        }
        if (run.mustStop()) return;
        const pending = run.start(i);
        if (pending !== undefined) {
          try {
            await pending;
            run.succeeded(i); // never throws
          } catch (thrown) {
            run.failed(i, thrown);
          }
        }
        if (run.finished) return;
        const settled: number = status[i]!; // (not narrowed to PENDING: start() changed it)
        if (group !== undefined && settled === FAILED) {
          groupError = errors[i];
          if (stopBatch) run.stopError ??= groupError;
        }
      }
    }
  };
  const count = Math.min(run.opts.concurrency, units);
  if (count <= 1) return count === 0 ? Promise.resolve() : worker();
  const workers = new Array<Promise<void>>(count);
  for (let w = 0; w < count; w++) workers[w] = worker();
  return Promise.all(workers);
}
