/**
 * Sluice runtime: the public entry of the handler kit shipped inside every Lambda bundle.
 */
export { sqsHandler } from './sqs-handler.ts';
export type { SluiceSqsHandler } from './sqs-handler.ts';
export { processBatch } from './process-batch.ts';
export {
  SluiceError,
  PermanentError,
  ValidationError,
  EnvelopeError,
  TransientError,
  DeadlineError,
  InvalidEventError,
  ConfigError,
  CircuitOpenError,
  toError,
} from './errors.ts';
export { backoffSeconds } from './backoff.ts';
/** The `retry`, `metrics` and `onFailure` options; only handlers that import them carry their code. */
export { retryPolicy } from './retry-policy.ts';
export { emfMetrics } from './emf-metrics.ts';
export { notifyFailures } from './on-failure.ts';
export type { ValidationIssue } from './errors.ts';
export { SLUICE_ENV, SLUICE_DEFAULTS, DLQ_ATTRIBUTES, IDEMPOTENCY_EXPIRES_AFTER_ENV } from './contract.ts';
export { createJsonLogger } from './logger.ts';
export { LOGGER_OPTION } from './options.ts';
/** The validator Sluice checks its own options and props with (one table per options object). */
export { allowedOf, formatValue, problem, validateOptions } from './validate-options.ts';
export type { OptionRule, OptionTable, ResolvedOptionsOf, ValidateConfig, ValueHooks } from './validate-options.ts';
export type * from './types.ts';
