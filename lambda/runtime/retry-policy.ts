/**
 * `retryPolicy`: the `retry` option as an import (README "Retries"). The engine only calls
 * the small {@link RetryPolicy} interface; the backoff, the dead-letter sends, the circuit
 * breaker and their option checks are reached from here alone, so a handler that does not
 * import `retryPolicy` carries none of them.
 */
import { CircuitBreaker } from './circuit-breaker.ts';
import { CircuitOpenError, isPermanent } from './errors.ts';
import { applyRetry } from './retry.ts';
import { RETRY_OPTION } from './retry-options.ts';
import type { MetricTable } from './report.ts';
import type { RetryBatch, RetryOptions, RetryPolicy, RetryRuntime, SluiceLogger } from './types.ts';
import { validateOptions } from './validate-options.ts';

/** The EMF metrics a handler with `retry` adds to every batch's line. */
const RETRY_METRICS: MetricTable = [['DeadLettered', 'deadLettered'], ['Delayed', 'delayed'], ['CircuitStateChanges', 'circuitChanges']];

/**
 * The retry features of a handler: poison (`PermanentError`) straight to the DLQ,
 * backoff of transient failures through `ChangeMessageVisibility`, a circuit breaker.
 * Each one is off unless configured.
 *
 * The options are checked when `sqsHandler`/`processBatch` is created, with the other
 * options (every problem in one `ConfigError`, named `retry.…`). The circuit breaker
 * belongs to the handler the policy is given to, so its state lasts as long as the
 * execution environment.
 *
 * @param options - `backoff`, `deadLetter`, `circuitBreaker`, `endpoint` (README "Retries")
 * @returns the value of the `retry` option
 * @example
 * import { retryPolicy, sqsHandler } from 'sluice';
 *
 * export const handler = sqsHandler({
 *   retry: retryPolicy({
 *     backoff: { baseSeconds: 2, maxSeconds: 300 },
 *     deadLetter: 'auto',
 *     circuitBreaker: { failureThreshold: 20, cooldownMs: 10_000 },
 *   }),
 *   async handle(message) { await deliver(message); },
 * });
 */
export function retryPolicy(options: RetryOptions): RetryPolicy {
  return Object.freeze({
    kind: 'retry',
    options,
    attach(logger: SluiceLogger, problems: string[]): RetryRuntime | undefined {
      const before = problems.length;
      const retry = validateOptions(RETRY_OPTION.table, options, problems, { name: 'retry' }) as RetryOptions;
      if (problems.length > before) return undefined;
      const breaker = retry.circuitBreaker === undefined ? undefined : new CircuitBreaker(retry.circuitBreaker, logger);
      return Object.freeze({
        delays: retry.backoff !== undefined,
        metrics: RETRY_METRICS,
        admit(messageId: string): Error | undefined {
          if (breaker === undefined || breaker.allow()) return undefined;
          return new CircuitOpenError(`Message ${messageId}: not started, the circuit breaker is ${breaker.state}`);
        },
        settled(error: Error | undefined): void {
          if (breaker === undefined) return;
          if (error === undefined) breaker.success();
          // Poison says nothing about the downstream's health: it neither trips nor closes the breaker.
          else if (isPermanent(error)) breaker.release();
          else breaker.failure();
        },
        apply: (batch: RetryBatch) => applyRetry(batch, retry),
        takeChanges: () => breaker?.takeChanges() ?? 0,
      });
    },
  });
}
