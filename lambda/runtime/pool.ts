/**
 * Bounded concurrency: a fixed pool of at most `concurrency` workers pulling work in
 * record order. No promise or closure is created per record up front; each worker is
 * one async loop, so the per-record cost is one `await` on the record's own work.
 */
import { FAILED, PENDING } from './batch-run.ts';
import type { BatchRun } from './batch-run.ts';

/** Runs every record of a standard (non-FIFO) batch; resolves when all settled. */
export function runStandard(run: BatchRun): Promise<unknown> {
  let next = 0;
  const { n, status } = run;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      if (status[i] !== PENDING) continue; // a duplicate found up front
      if (run.mustStop()) return;
      await run.run(i);
      if (run.finished) return;
    }
  };
  return startWorkers(run.opts.concurrency, n, worker);
}

/**
 * Runs a FIFO batch: each message group strictly in order, one record at a time;
 * different groups in parallel up to `concurrency`. After a failure the group's later
 * records are skipped (`skip-group`), or every record not yet started (`stop-batch`).
 */
export function runFifo(run: BatchRun): Promise<unknown> {
  const groups = run.groups();
  const stopBatch = run.opts.onGroupFailure === 'stop-batch';
  let next = 0;
  const { status, errors } = run;
  const worker = async (): Promise<void> => {
    while (next < groups.length) {
      const group = groups[next++]!;
      let groupError: Error | undefined;
      for (const i of group) {
        if (status[i] !== PENDING) continue;
        const stop = groupError ?? run.stopError;
        if (stop !== undefined) {
          run.skip(i, stop);
          continue;
        }
        if (run.mustStop()) return;
        await run.run(i);
        if (run.finished) return;
        const settled: number = status[i]!;
        if (settled === FAILED) {
          groupError = errors[i];
          if (stopBatch) run.stopError ??= groupError;
        }
      }
    }
  };
  return startWorkers(run.opts.concurrency, groups.length, worker);
}

function startWorkers(concurrency: number, units: number, worker: () => Promise<void>): Promise<unknown> {
  const count = Math.min(concurrency, units);
  if (count === 0) return Promise.resolve();
  if (count === 1) return worker();
  const workers = new Array<Promise<void>>(count);
  for (let w = 0; w < count; w++) workers[w] = worker();
  return Promise.all(workers);
}
