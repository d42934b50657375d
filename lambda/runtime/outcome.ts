/**
 * The outcome of one settled record: `processBatch`'s `outcomes`, and what `onFailure`
 * receives. A module of its own, so a handler that needs neither does not bundle it.
 */
import { DEAD_LETTERED, DELAYED, STATUS_NAMES } from './batch-run.ts';
import type { BatchRun } from './batch-run.ts';
import type { RecordOutcome } from './types.ts';

/** The outcome of final record `i`. */
export function outcomeOf(run: BatchRun, i: number): RecordOutcome {
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
