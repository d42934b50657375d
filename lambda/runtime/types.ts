/**
 * Shared types of the runtime: SQS shapes, options, message context and outcomes.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Context as LambdaContext } from 'aws-lambda';

export type { StandardSchemaV1, LambdaContext };

/** An SQS message attribute as Lambda delivers it. */
export interface SqsMessageAttribute {
  stringValue?: string | undefined;
  /** Base64 of the bytes, for `Binary` attributes. */
  binaryValue?: string | undefined;
  stringListValues?: string[];
  binaryListValues?: string[];
  dataType: string;
}

/** System attributes of an SQS record; every value is a string. */
export interface SqsRecordAttributes {
  ApproximateReceiveCount: string;
  SentTimestamp: string;
  SenderId: string;
  ApproximateFirstReceiveTimestamp: string;
  SequenceNumber?: string;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  AWSTraceHeader?: string;
}

/** One record of an SQS event, with the exact shape Lambda delivers. */
export interface SqsRecord {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: SqsRecordAttributes;
  messageAttributes: Record<string, SqsMessageAttribute>;
  md5OfBody: string;
  md5OfMessageAttributes?: string | null;
  eventSource: 'aws:sqs';
  eventSourceARN: string;
  awsRegion: string;
}

/** The event Lambda passes to a function mapped to an SQS queue. */
export interface SqsEvent {
  Records: SqsRecord[];
}

/** One entry of a partial batch response. */
export interface BatchItemFailure {
  itemIdentifier: string;
}

/** The response Lambda reads when `ReportBatchItemFailures` is on. */
export interface SqsBatchResponse {
  batchItemFailures: BatchItemFailure[];
}

/** The logging surface the runtime uses; a Powertools Logger satisfies it. */
export interface SluiceLogger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** SNS details of a record whose body was an unwrapped SNS envelope. */
export interface SnsDetails {
  topicArn: string;
  messageId: string;
  subject?: string;
  /** ISO timestamp of the publish. */
  timestamp: string;
  /** The envelope's `MessageAttributes`, name → `Value`. */
  attributes: Record<string, string>;
}

/**
 * What `handle` receives beside the decoded message. In the engine's contexts `attempt`
 * and `attributes` are getters worked out when read (hence `readonly`), so `{ ...ctx }`
 * leaves them out.
 */
export interface MessageContext {
  messageId: string;
  record: SqsRecord;
  /** `Number(ApproximateReceiveCount)`; 1 when the attribute is missing or not a positive integer. */
  readonly attempt: number;
  /** FIFO only: the record's `MessageGroupId` (absent when the record has none). */
  groupId?: string;
  /** Message attributes: name → `stringValue`, or `binaryValue` (base64) for Binary ones. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Set when an SNS envelope was unwrapped. */
  sns?: SnsDetails;
  /** Aborts when the Lambda deadline margin is reached. */
  signal: AbortSignal;
  /** The configured logger (a no-op one when `logger: false`). */
  logger: SluiceLogger;
  /** The Lambda context, when there is one. */
  lambdaContext?: LambdaContext;
}

/** The function that processes one decoded message; throw to fail the record. */
export type Handle<T> = (message: T, ctx: MessageContext) => unknown;

/** Where the message body comes from. */
export type EnvelopeMode = 'auto' | 'sns' | 'none';
/** How the body string becomes the message. */
export type BodyMode = 'json' | 'text';

/** What `emfMetrics(...)` takes. */
export interface MetricsOptions {
  namespace: string;
  dimensions?: Record<string, string>;
}

/** Backoff for transient and unknown failures (README "Retries"). */
export interface BackoffOptions {
  /** First delay, in seconds. */
  baseSeconds: number;
  /** Largest delay, in seconds (capped at 12 h). */
  maxSeconds: number;
  /** `'full'` (default): uniform in [0, delay]; `'none'`: exactly the delay. */
  jitter?: 'full' | 'none';
}

/** Circuit breaker settings (README "Retries"). */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long the breaker stays open before a probe, in milliseconds. */
  cooldownMs: number;
}

/** Retry features; each one is off unless configured. */
export interface RetryOptions {
  backoff?: BackoffOptions;
  /** `'auto'` uses `SLUICE_DLQ_URL` when set; a URL sends poison there; `false` is off. */
  deadLetter?: 'auto' | false | string;
  circuitBreaker?: CircuitBreakerOptions;
  /** SQS endpoint for the runtime's own calls; defaults to `SLUICE_SQS_ENDPOINT`, then AWS. */
  endpoint?: string;
}

/**
 * The `metrics` option, made by `emfMetrics(options)`: the engine calls only this, so the
 * EMF code is in the bundles of the handlers that import `emfMetrics`, and no others.
 */
export interface MetricsPolicy {
  readonly kind: 'metrics';
  /** The options as given to `emfMetrics`. */
  readonly options: MetricsOptions;
  /**
   * Runs once, when the handler is created: checks the options (pushing one line per
   * problem) and returns what writes each batch's line, or `undefined` after a problem.
   */
  attach(problems: string[]): MetricsRuntime | undefined;
}

/** Writes the metrics of one batch. */
export interface MetricsRuntime {
  /**
   * @param extra - metrics the features add, `[metric name, stats field]` (unit `Count`)
   * @param timestamp - epoch ms of the line
   */
  emit(stats: BatchStats, extra?: readonly (readonly [string, keyof BatchStats])[], timestamp?: number): void;
}

/**
 * The `retry` option, made by `retryPolicy(options)`: the engine calls only this, so the
 * retry code is in the bundles of the handlers that import `retryPolicy`, and no others.
 */
export interface RetryPolicy {
  readonly kind: 'retry';
  /** The options as given to `retryPolicy`. */
  readonly options: RetryOptions;
  /**
   * Runs once, when the handler is created: checks the options (pushing one line per
   * problem) and returns the handler's retry runtime, or `undefined` after a problem.
   */
  attach(logger: SluiceLogger, problems: string[]): RetryRuntime | undefined;
}

/** What the engine calls on the handler's retry features; one per handler (its circuit breaker's state). */
export interface RetryRuntime {
  /** True with `backoff`: the engine keeps a visibility timeout per record. */
  readonly delays: boolean;
  /** EMF metrics it adds: `[metric name, stats field]`, unit `Count`. */
  readonly metrics: readonly (readonly [string, keyof BatchStats])[];
  /** Before a record starts: the error it is skipped with (the breaker is open), or `undefined`. */
  admit(messageId: string): Error | undefined;
  /** After a started record settled: its error, or `undefined` for a success. */
  settled(error: Error | undefined): void;
  /** After the batch settled (unless the deadline ended it): dead-letters poison and delays transient failures. */
  apply(batch: RetryBatch): Promise<void>;
  /** Circuit breaker state changes since the last call. */
  takeChanges(): number;
}

/** What {@link RetryRuntime.apply} sees of a settled batch, and writes back. */
export interface RetryBatch {
  readonly records: readonly SqsRecord[];
  readonly n: number;
  /** Per record, the engine's state code (`batch-run.ts`). */
  readonly status: Uint8Array;
  readonly errors: readonly (Error | undefined)[];
  /** Per record: 1 = dead-lettered, 2 = delayed (written by `apply`). */
  readonly disposition: Uint8Array;
  /** Per record: the visibility timeout a delayed record got, in seconds (written by `apply`). */
  readonly visibility: Int32Array;
  readonly opts: { readonly deadlineMarginMs: number; readonly logger: SluiceLogger };
  /** Milliseconds until no record may start, or `undefined` without a Lambda context. */
  msUntilDeadline(): number | undefined;
}

/**
 * What the warn line of a record that did not succeed says (README "The runtime"). Never a
 * body, an attribute value, or a fragment of either.
 *
 * - `'detailed'`: the error's name and code, its `message` (for an `Error` thrown by `handle`
 *   or made by Sluice; not for the engine's own `SyntaxError`, `TypeError`, `RangeError`,
 *   `ReferenceError`, `URIError` or `EvalError`, whose messages may quote a value), a
 *   `ValidationError`'s issue paths and codes (`email: invalid_format`, never the schema's
 *   messages), the names and codes of its `cause` chain (of a thrown non-`Error` value
 *   only its type), and the `attempt`.
 * - `'codes'`: the error's name and code only.
 * - `false`: no per-record line (the batch summary is still logged).
 */
export type LogFailures = 'detailed' | 'codes' | false;

/**
 * Called once per record whose outcome is `failed` or `skipped` (the records that get a
 * warn line; a `duplicate` is not, its original is), after the batch settled.
 *
 * `ctx` is the context `handle` received, or for a record that never reached `handle`
 * (decoding failed, or skipped) a new one without `sns`. A throw or rejection is caught and
 * logged at warn; it never changes an outcome. A returned promise is awaited, all of them
 * in parallel, at most 5 s, and with a Lambda deadline only until half of
 * `deadlineMarginMs` is left (so a batch cut off at the deadline still returns in time);
 * then the batch returns without it.
 */
export type OnFailure = (outcome: RecordOutcome, ctx: MessageContext) => unknown;

/**
 * The `onFailure` option, made by `notifyFailures(callback)`: the engine calls only this,
 * so building outcomes and bounding the wait are in the bundles of the handlers that
 * import `notifyFailures`, and no others.
 */
export interface FailureNotifier {
  readonly kind: 'onFailure';
  /** The callback as given to `notifyFailures`. */
  readonly callback: OnFailure;
  /** Runs once, when the handler is created: checks the callback (one line per problem). */
  attach(problems: string[]): FailureRuntime | undefined;
}

/** The engine's batch, as {@link FailureRuntime.notify} gets it (the runtime's own type). */
export interface FailureBatch {
  readonly records: readonly SqsRecord[];
}

/** Calls the callback for the records that did not succeed. */
export interface FailureRuntime {
  /**
   * @param indices - the records that failed or were skipped
   * @param outcomes - the batch's outcomes when the caller gets them (`processBatch`)
   * @returns a promise while returned promises are awaited (boundedly), else `undefined`
   */
  notify(batch: FailureBatch, indices: readonly number[], outcomes: readonly RecordOutcome[] | undefined): Promise<void> | undefined;
}

/** Options of `processBatch` (everything but `handle`). */
export interface BatchOptions<T = unknown> {
  /** Records in flight at most. @default 10 */
  concurrency?: number;
  /** Any Standard Schema; its output is what `handle` receives. */
  schema?: StandardSchemaV1<unknown, T>;
  /** @default 'auto' */
  envelope?: EnvelopeMode;
  /** @default 'json' */
  body?: BodyMode;
  /** @default 'auto' (the `eventSourceARN` ends in `.fifo`) */
  fifo?: 'auto' | boolean;
  /** @default 'skip-group' */
  onGroupFailure?: 'skip-group' | 'stop-batch';
  /** @default 1000 */
  deadlineMarginMs?: number;
  /** @default true */
  dedupe?: boolean | ((message: T, record: SqsRecord) => string);
  /** @default JSON lines to stdout/stderr */
  logger?: SluiceLogger | false;
  /**
   * One CloudWatch EMF line per batch, made by `emfMetrics({ namespace, dimensions? })`
   * (exported by `sluice`); a plain object is a `ConfigError`.
   * @default off
   */
  metrics?: MetricsPolicy;
  /**
   * Retry features, made by `retryPolicy({ backoff?, deadLetter?, circuitBreaker?, endpoint? })`
   * (exported by `sluice`); a plain object is a `ConfigError`.
   * @default off
   */
  retry?: RetryPolicy;
  /**
   * What the warn line of each record that did not succeed says; see {@link LogFailures}.
   * @default 'detailed'
   */
  logFailures?: LogFailures;
  /**
   * Called once per record that did not succeed, made by `notifyFailures(callback)`
   * (exported by `sluice`; a plain function is a `ConfigError`); see {@link OnFailure}.
   * @default - none
   */
  onFailure?: FailureNotifier;
  /**
   * Idempotency across deliveries (README "Idempotency"): a record whose key completed before is not
   * run again. The store comes from `sluice/idempotency` (`dynamoDbStore()`, `memoryStore()`).
   * @default off
   */
  idempotency?: IdempotencyOptions<T>;
}

/**
 * The `idempotency` option (README "Idempotency"). Every check and all the logic live in the store
 * (`sluice/idempotency`), so a handler without idempotency carries none of it.
 */
export interface IdempotencyOptions<T = unknown> {
  /** Where claims live: `dynamoDbStore()` (DynamoDB) or `memoryStore()` (tests), from `sluice/idempotency`. */
  store: IdempotencyHook;
  /**
   * The record's idempotency key, from the decoded message (e.g. a user id).
   * @default - the `dedupe` key: `dedupe`'s function when it is one, else the `messageId`
   */
  key?: (message: T, record: SqsRecord) => string;
  /**
   * How long a completed key stays completed (later copies are not run), in seconds.
   * @default 3600
   */
  expiresAfterSeconds?: number;
  /**
   * How long an unfinished claim blocks other invocations, in milliseconds (then a retry
   * may run the record again: a crash between claim and completion).
   * @default - the invocation's remaining time (without a Lambda context: 15 minutes)
   */
  inProgressExpiryMs?: number;
  /**
   * Prefix of every key, so functions sharing a table never share keys.
   * @default - the function name (Lambda context, else `AWS_LAMBDA_FUNCTION_NAME`)
   */
  namespace?: string;
}

/**
 * What the engine calls on `idempotency.store`; the stores of `sluice/idempotency`
 * implement it. `guard` runs once, when the handler is created: it checks the options
 * (pushing one line per problem) and returns the per-batch wrapper of `handle`.
 */
export interface IdempotencyHook {
  guard(options: IdempotencyOptions<never>, problems: string[]): IdempotencyGuard | undefined;
}

/**
 * Wraps `handle` for one batch. The wrapper claims each record's key before calling
 * `handle` and settles the claim after; it may set `batch.onSettle` to add its counts.
 */
export type IdempotencyGuard = (handle: Handle<unknown>, batch: GuardedBatch) => Handle<unknown>;

/** EMF metrics a guard adds: `[metric name, stats field]`, unit `Count`. */
export type IdempotencyMetrics = readonly (readonly [string, keyof BatchStats])[];

/** What an {@link IdempotencyGuard} sees of a running batch. */
export interface GuardedBatch {
  readonly records: readonly SqsRecord[];
  readonly opts: {
    readonly dedupe: boolean | ((message: never, record: SqsRecord) => string);
    readonly deadlineMarginMs: number;
    readonly logger: SluiceLogger;
  };
  /** True once the deadline finished the batch (a later settlement is ignored). */
  readonly finished: boolean;
  /** Milliseconds until no record may start, or `undefined` without a Lambda context. */
  msUntilDeadline(): number | undefined;
  /**
   * Called when the batch settled, before it is logged and reported: sets its stats and
   * outcome fields, and returns the EMF metrics it adds as `[name, stats field]` (Count).
   */
  onSettle?: ((stats: BatchStats, outcomes: RecordOutcome[] | undefined) => IdempotencyMetrics) | undefined;
}

/** Options of `sqsHandler`: the batch options plus `handle`. */
export interface SqsHandlerOptions<T = unknown> extends BatchOptions<T> {
  handle: Handle<T>;
}

/** How one record ended. */
export type OutcomeStatus = 'succeeded' | 'failed' | 'skipped' | 'duplicate';

/** The outcome of one record, in record order. */
export interface RecordOutcome {
  messageId: string;
  status: OutcomeStatus;
  error?: Error;
  durationMs: number;
  /**
   * With `retry`: `'dead-lettered'` (a permanent failure sent to the DLQ, so not reported
   * for retry) or `'delayed'` (a failure whose next attempt was pushed back by backoff).
   */
  disposition?: 'dead-lettered' | 'delayed';
  /** With `disposition: 'delayed'`: the visibility timeout set, in seconds. */
  visibilityTimeoutSeconds?: number;
  /** With `idempotency`: the key had completed before, so the record was not run (`status` is `'succeeded'`). */
  idempotentHit?: true;
}

/** Counts of one batch. */
export interface BatchStats {
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  duplicates: number;
  durationMs: number;
  maxInFlight: number;
  /** Failed records sent to the DLQ (included in `failed`, not reported for retry). */
  deadLettered: number;
  /** Failed or circuit-skipped records whose visibility was changed by backoff. */
  delayed: number;
  /** Circuit breaker state changes during this batch. */
  circuitChanges: number;
  /** With `idempotency` only: succeeded records not run because their key had completed before. */
  idempotentHits?: number;
}

/** What `processBatch` resolves to. */
export interface BatchResult extends SqsBatchResponse {
  outcomes: RecordOutcome[];
  stats: BatchStats;
}
