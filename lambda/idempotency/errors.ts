/**
 * The errors of idempotency (README "Idempotency"). Both are `TransientError`s: the record is reported
 * failed and retried (with `retry.backoff`, after a backoff like any transient failure).
 */
import { TransientError } from '../runtime/index.ts';

/**
 * Another invocation holds a live claim on the record's key: it is running the same work
 * now (or crashed, and its claim has not expired yet). The record is not run; its retry
 * finds the key completed (and succeeds without running) or the claim expired (and runs).
 */
export class IdempotencyInProgressError extends TransientError {
  override name = 'IdempotencyInProgressError';
  override readonly code = 'IDEMPOTENCY_IN_PROGRESS';
}

/**
 * The idempotency store could not be read or written (unreachable, throttled, denied, no
 * such table) while claiming a key: the record is not run, never without its claim.
 * `cause` is the store's error.
 */
export class IdempotencyStoreError extends TransientError {
  override name = 'IdempotencyStoreError';
  override readonly code = 'IDEMPOTENCY_STORE';
}
