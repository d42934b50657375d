/**
 * Names and defaults that the runtime (`lambda/`) and the infrastructure and local
 * runtime (`lib/`) must agree on. This module is imported by both sides, so it holds
 * constants only: no imports, no logic.
 */

/**
 * `SLUICE_ENV.LOG_LEVEL`, as a constant of its own: the default logger reads it, so every
 * handler bundles it, and a constant costs no more than its string (the object would).
 */
export const LOG_LEVEL_ENV = 'SLUICE_LOG_LEVEL';

/** Environment variables the constructs set and the runtime reads. */
export const SLUICE_ENV = {
  /** URL of the consumer's own dead-letter queue (set by `QueueConsumer`). */
  DLQ_URL: 'SLUICE_DLQ_URL',
  /** URL of the consumer's source queue (set by `QueueConsumer`). */
  QUEUE_URL: 'SLUICE_QUEUE_URL',
  /**
   * SQS endpoint override for the runtime's own SQS calls (visibility changes, DLQ
   * sends). Unset in AWS; the local runtime points it at the embedded server.
   */
  SQS_ENDPOINT: 'SLUICE_SQS_ENDPOINT',
  /** Lowest level the default logger writes: `debug`, `info`, `warn`, `error` or `silent`. */
  LOG_LEVEL: LOG_LEVEL_ENV,
  /**
   * Name of the consumer's idempotency table (set by `QueueConsumer` with `idempotency`);
   * `dynamoDbStore()` (table `'auto'`) reads it.
   */
  IDEMPOTENCY_TABLE: 'SLUICE_IDEMPOTENCY_TABLE',
} as const;

/**
 * How long a completed idempotency key stays completed, in seconds (set by `QueueConsumer`
 * with `idempotency.expiresAfter`); the default of `idempotency.expiresAfterSeconds`. A
 * constant of its own, not in {@link SLUICE_ENV}, so handlers without idempotency do not
 * bundle it.
 */
export const IDEMPOTENCY_EXPIRES_AFTER_ENV = 'SLUICE_IDEMPOTENCY_EXPIRES_AFTER_SECONDS';

/** `SLUICE_DEFAULTS.concurrency` and `.deadlineMarginMs`, as constants: every handler bundles these two, and not the object. */
export const DEFAULT_CONCURRENCY = 10;
export const DEFAULT_DEADLINE_MARGIN_MS = 1000;

/** Defaults shared by the runtime options and the constructs. */
export const SLUICE_DEFAULTS = {
  /** Records in flight per invocation. */
  concurrency: DEFAULT_CONCURRENCY,
  /** Stop starting records this long before the Lambda deadline. */
  deadlineMarginMs: DEFAULT_DEADLINE_MARGIN_MS,
  /** Receives before the queue's redrive policy moves a message to its DLQ. */
  maxReceiveCount: 5,
  /** Multiplier of the function timeout used for the queue visibility timeout (AWS guidance). */
  visibilityTimeoutFactor: 6,
} as const;

/**
 * Longest SQS visibility timeout, in seconds (12 h). A constant of its own so the runtime,
 * which needs only this limit, does not bundle the whole {@link AWS_LIMITS} table.
 */
export const MAX_VISIBILITY_TIMEOUT_SECONDS = 43_200; // 12 h (a literal: esbuild keeps objects holding arithmetic)

/** Hard limits of the AWS services, shared by validation on both sides. */
export const AWS_LIMITS = {
  /** Largest SQS message body, in bytes (1 MiB). */
  maxMessageBytes: 1_048_576,
  /** Longest SQS visibility timeout, in seconds (12 h). */
  maxVisibilityTimeoutSeconds: MAX_VISIBILITY_TIMEOUT_SECONDS,
  /** Longest Lambda timeout, in seconds. */
  maxFunctionTimeoutSeconds: 900,
  /** Largest batch for a FIFO queue. */
  maxFifoBatchSize: 10,
  /** Largest batch for a standard queue. */
  maxStandardBatchSize: 10_000,
  /** Largest batch for a standard queue without a batching window. */
  maxBatchSizeWithoutWindow: 10,
  /** Longest batching window, in seconds. */
  maxBatchingWindowSeconds: 300,
  /** Range of an event source mapping's `maxConcurrency`. */
  minMaxConcurrency: 2,
  maxMaxConcurrency: 1000,
} as const;

/** Message attributes the runtime adds to a message it sends to the DLQ (`retry.deadLetter`). */
export const DLQ_ATTRIBUTES = {
  /** The error's `code` (e.g. `VALIDATION`), or its name. */
  errorCode: 'sluice.errorCode',
  /** The error message, at most 256 characters (Sluice's own never quote the body). */
  reason: 'sluice.reason',
  /** Name of the queue the message failed on; `sluice redrive` sends it back there. */
  sourceQueue: 'sluice.sourceQueue',
  /** `ApproximateReceiveCount` of the failed attempt. */
  attempt: 'sluice.attempt',
} as const;
