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
export type { ValidationIssue } from './errors.ts';
export { SLUICE_ENV, SLUICE_DEFAULTS, DLQ_ATTRIBUTES } from './contract.ts';
export { createJsonLogger } from './logger.ts';
export type * from './types.ts';
