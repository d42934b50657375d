/**
 * Events and counters of the event source mapping emulator, for progress displays and
 * the `sluice dev` summary.
 */
import { SluiceError } from '../../../lambda/runtime/index.ts';
import type { BatchVerdict } from '../../sqs/index.ts';

/** An SQS call of the emulator did not settle every message it was given (they come back after their visibility timeout). */
export class EmulatorSqsError extends SluiceError {
  override name = 'EmulatorSqsError';
  constructor(message: string, options?: ErrorOptions) {
    super('EMULATOR_SQS', message, options);
  }
}

/** One invocation and what the emulator did with its batch. */
export interface BatchEvent {
  /** Mapping name (the function's construct path). */
  readonly mapping: string;
  readonly requestId: string;
  /** Records passed to the function. */
  readonly size: number;
  readonly verdict: BatchVerdict;
  /** Records deleted after the invocation. */
  readonly deleted: number;
  /** Records left for their visibility timeout. */
  readonly retried: number;
  readonly durationMs: number;
  readonly coldStart: boolean;
}

/** Events of an {@link EsmEmulator}, name → listener arguments. */
export interface EmulatorEvents {
  /** Messages were received from the queue. */
  received: [count: number];
  /** Records a filter rejected were deleted without an invocation. */
  filtered: [count: number];
  /** An invocation finished and its verdict was applied. */
  batch: [event: BatchEvent];
  /** An SQS call of the emulator failed (the affected messages come back after their visibility timeout). */
  error: [error: Error, operation: 'receive' | 'delete' | 'release'];
  /** `stop()` finished. */
  stopped: [];
}

/** Running totals of one emulator. */
export interface EmulatorCounters {
  /** Messages received, redeliveries included. */
  received: number;
  /** Records passed to the function, redeliveries included. */
  invoked: number;
  /** Invocations. */
  batches: number;
  /** Records deleted after an invocation (distinct messages: see `succeededIds`). */
  succeeded: number;
  /** Records left to come back after their visibility timeout. */
  retried: number;
  /** Records deleted because no filter matched. */
  filtered: number;
  /** Invocations that failed as a whole (error, timeout, invalid response). */
  batchErrors: number;
  /** Failed SQS calls of the emulator. */
  sqsErrors: number;
  /** Sum of invocation durations, in milliseconds. */
  invocationMs: number;
  /** Most invocations this mapping had in flight at once. */
  maxConcurrentInvocations: number;
}

/** Distinct message ids per outcome, for reconciliation. */
export interface EmulatorIds {
  readonly received: Set<string>;
  readonly succeeded: Set<string>;
  readonly filtered: Set<string>;
}

/** Counters all at zero. */
export function zeroCounters(): EmulatorCounters {
  return { received: 0, invoked: 0, batches: 0, succeeded: 0, retried: 0, filtered: 0, batchErrors: 0, sqsErrors: 0, invocationMs: 0, maxConcurrentInvocations: 0 };
}
