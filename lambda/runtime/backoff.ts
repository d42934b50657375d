/**
 * The backoff delay of README "Retries".
 */
import { MAX_VISIBILITY_TIMEOUT_SECONDS } from './contract.ts';
import type { BackoffOptions } from './types.ts';

/**
 * Seconds to keep a failed message invisible before its next attempt.
 *
 * `min(maxSeconds, baseSeconds × 2^(attempt − 1))`, with full jitter a uniform whole
 * number of seconds in [0, that]; an error's `retryAfterSeconds` replaces the formula.
 * Always a whole number within SQS's 0..43200 (12 h).
 *
 * @param attempt - the receive count of the failed attempt (1 = first)
 * @param backoff - the configured backoff
 * @param retryAfterSeconds - a delay the failure asked for, if any
 * @param random - a source of [0, 1) numbers (injectable for tests)
 */
export function backoffSeconds(
  attempt: number,
  backoff: BackoffOptions,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number {
  const cap = MAX_VISIBILITY_TIMEOUT_SECONDS;
  if (retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0) {
    return Math.min(cap, Math.ceil(retryAfterSeconds));
  }
  const exponent = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt) - 1) : 0;
  // 2^1023 is the largest finite power; past ~50 the cap applies anyway.
  const delay = Math.min(backoff.maxSeconds, backoff.baseSeconds * 2 ** Math.min(exponent, 60), cap);
  if (backoff.jitter === 'none') return Math.round(delay);
  return Math.min(Math.floor(random() * (Math.floor(delay) + 1)), cap);
}
