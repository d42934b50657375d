/**
 * The error tree of Sluice. Every class extends {@link SluiceError}, carries a stable
 * upper-snake `code` and keeps `cause`. Tell errors apart with `instanceof` or `code`,
 * never by matching `message`.
 *
 * Every class sets its `name` as a string literal: minifiers rename classes, so
 * `new.target.name` would read `R` in a deployed bundle. The field is not `readonly`, so
 * a subclass may set its own either way (`override name = 'PaymentDeclinedError'`, or
 * `this.name = …` in its constructor); one that sets none keeps its parent's name.
 */

/** Base of every error Sluice throws; `code` is stable, `message` is for people. */
export class SluiceError extends Error {
  override name = 'SluiceError';
  /** Stable machine-readable code, e.g. `VALIDATION`. */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Retrying cannot help: the message is wrong for this consumer.
 *
 * Throw it from `handle` for a 4xx-style failure. With `retry.deadLetter` configured the
 * record goes straight to the DLQ; otherwise it is reported failed.
 */
export class PermanentError extends SluiceError {
  override name = 'PermanentError';
  constructor(message: string, options?: ErrorOptions, code = 'PERMANENT') {
    super(code, message, options);
  }
}

/** One problem reported by a Standard Schema, without the offending input. */
export interface ValidationIssue {
  /** The schema's message; may quote the input, so Sluice never logs it. */
  readonly message: string;
  readonly path: readonly (string | number)[];
  /** The issue's machine-readable code when the schema gives one (zod, ArkType: `code`; valibot: `type`). */
  readonly code?: string;
}

/**
 * The body could not be decoded: not JSON, or rejected by the schema.
 *
 * Its message names the record and the failing paths but never quotes the input.
 */
export class ValidationError extends PermanentError {
  override name = 'ValidationError';
  /** The schema's issues (message, path and code only); empty for a JSON syntax error. */
  readonly issues: readonly ValidationIssue[];

  constructor(message: string, issues: readonly ValidationIssue[] = [], options?: ErrorOptions) {
    super(message, options, 'VALIDATION');
    this.issues = issues;
  }
}

/** The body is not the SNS envelope that `envelope: 'sns'` requires. */
export class EnvelopeError extends PermanentError {
  override name = 'EnvelopeError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options, 'ENVELOPE');
  }
}

/**
 * A failure that may pass on retry (throttling, 5xx, timeouts).
 *
 * `retryAfterSeconds`, when set, is the delay the next attempt should wait for.
 */
export class TransientError extends SluiceError {
  override name = 'TransientError';
  /** Seconds to wait before the next attempt, when the failure says so. */
  readonly retryAfterSeconds: number | undefined;

  constructor(message: string, options?: ErrorOptions & { retryAfterSeconds?: number }) {
    super('TRANSIENT', message, options);
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** The record was cut off, or never started, because the Lambda deadline was near. */
export class DeadlineError extends SluiceError {
  override name = 'DeadlineError';
  constructor(message: string, options?: ErrorOptions) {
    super('DEADLINE', message, options);
  }
}

/**
 * The event cannot be processed record by record (not an SQS event, or a record that
 * could not be reported). The invocation rejects, so Lambda retries the whole batch.
 */
export class InvalidEventError extends SluiceError {
  override name = 'InvalidEventError';
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_EVENT', message, options);
  }
}

/**
 * An option is missing, unknown or out of range. Thrown when the handler, the worker or a
 * construct is created; the constructs' `InvalidPropsError` extends it.
 */
export class ConfigError extends SluiceError {
  override name = 'ConfigError';
  /** Every problem found, one line each, naming the option, the value and what is allowed. */
  readonly problems: readonly string[];

  /**
   * @param problems - one line per problem: `<option>: received <value>; allowed: <range>`
   * @param heading - the first line of the message, before the problems
   */
  constructor(problems: readonly string[], heading = 'Invalid Sluice configuration') {
    super('CONFIG', `${heading}:\n- ${problems.join('\n- ')}`);
    this.problems = problems;
  }
}

/**
 * Creates an error without capturing a stack trace.
 *
 * For errors that describe data rather than code (a body that is not JSON, a schema
 * violation): their stack would only point into the decoder, and capturing it costs
 * about 2 µs per poison record.
 */
export function withoutStack<E extends Error>(make: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Turns any thrown value into an `Error`, keeping the original as `cause` when it is not one. */
export function toError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(`Non-error value thrown: ${typeof thrown}`, { cause: thrown });
}

/** The record was not started because the circuit breaker is open. */
export class CircuitOpenError extends SluiceError {
  override name = 'CircuitOpenError';
  constructor(message: string, options?: ErrorOptions) {
    super('CIRCUIT_OPEN', message, options);
  }
}

/** True for a `PermanentError` (validation and envelope errors included). */
export function isPermanent(error: unknown): boolean {
  return error instanceof PermanentError;
}
