/**
 * The state of one batch while it runs: one slot per record (status, error, timing),
 * the in-flight count, the deadline and the abort signal. The pool (`pool.ts`) drives
 * it; `process-batch.ts` turns it into a result.
 */
import { decodeBody, validate } from './decode.ts';
import { CircuitBreaker } from './circuit-breaker.ts';
import { CircuitOpenError, DeadlineError, isPermanent, toError } from './errors.ts';
import { groupIdOf, messageContext } from './message-context.ts';
import type { ResolvedOptions } from './options.ts';
import type { BatchStats, GuardedBatch, Handle, IdempotencyMetrics, LambdaContext, MessageContext, OutcomeStatus, RecordOutcome, SqsRecord } from './types.ts';

/** Slot states; `PENDING` and `RUNNING` never survive finalization. */
export const PENDING = 0;
export const RUNNING = 1;
export const SUCCEEDED = 2;
export const FAILED = 3;
export const SKIPPED = 4;
export const DUPLICATE = 5;

/** Public status of each final slot state. */
export const STATUS_NAMES: readonly OutcomeStatus[] = ['skipped', 'failed', 'succeeded', 'failed', 'skipped', 'duplicate'];

const now = (): number => performance.now();

/** One breaker per resolved options object: per handler, so per execution environment. */
const breakers = new WeakMap<ResolvedOptions, CircuitBreaker>();

function breakerFor(opts: ResolvedOptions): CircuitBreaker | undefined {
  const config = opts.retry?.circuitBreaker;
  if (config === undefined) return undefined;
  let breaker = breakers.get(opts);
  if (breaker === undefined) {
    breaker = new CircuitBreaker(config, opts.logger);
    breakers.set(opts, breaker);
  }
  return breaker;
}

/** One batch in progress. Created per call; never shared between calls. */
export class BatchRun implements GuardedBatch {
  readonly records: readonly SqsRecord[];
  readonly n: number;
  readonly opts: ResolvedOptions;
  readonly handle: Handle<unknown>;
  readonly lambdaContext: LambdaContext | undefined;
  readonly fifo: boolean;
  readonly status: Uint8Array;
  readonly errors: (Error | undefined)[];
  readonly startedAt: Float64Array;
  readonly durations: Float64Array;
  /** For duplicates: the index of the record they copy. */
  readonly originOf: Int32Array;
  /** With `retry`: what happened after a failure (`retry.ts`: dead-lettered, delayed). */
  readonly disposition: Uint8Array;
  /** With `retry.backoff`: the visibility timeout set for a delayed record, in seconds. */
  readonly visibility: Int32Array;
  readonly breaker: CircuitBreaker | undefined;
  /** With `onFailure`: the context each record's `handle` received, for the callback. */
  readonly contexts: (MessageContext | undefined)[] | undefined;
  readonly abort = new AbortController();
  readonly startTime = now();
  inFlight = 0;
  maxInFlight = 0;
  /** Set once the deadline was reached; later settlements are ignored. */
  finished = false;
  /** `stop-batch`: the failure that stopped the batch. */
  stopError: Error | undefined;
  /** Set by the `idempotency` guard: adds its counts when the batch settled. */
  declare onSettle?: ((stats: BatchStats, outcomes: RecordOutcome[] | undefined) => IdempotencyMetrics) | undefined;
  readonly #keys: Map<string, number> | undefined;
  readonly #remaining: (() => number) | undefined;
  #onDeadline: (() => void) | undefined;

  constructor(records: readonly SqsRecord[], handle: Handle<unknown>, opts: ResolvedOptions, lambdaContext: LambdaContext | undefined) {
    const n = records.length;
    this.records = records;
    this.n = n;
    this.opts = opts;
    // With `idempotency`, the store's guard claims each key around `handle`.
    this.handle = opts.idempotency?.(handle, this) ?? handle;
    this.lambdaContext = lambdaContext;
    this.status = new Uint8Array(n);
    this.errors = new Array<Error | undefined>(n);
    this.startedAt = new Float64Array(n);
    this.durations = new Float64Array(n);
    this.originOf = new Int32Array(opts.dedupe === false ? 0 : n);
    this.disposition = new Uint8Array(opts.retry === undefined ? 0 : n);
    this.visibility = new Int32Array(opts.retry?.backoff === undefined ? 0 : n);
    this.breaker = breakerFor(opts);
    this.contexts = opts.onFailure === undefined ? undefined : new Array<MessageContext | undefined>(n);
    this.fifo = opts.fifo === 'auto' ? records.some((r) => typeof r.eventSourceARN === 'string' && r.eventSourceARN.endsWith('.fifo')) : opts.fifo;
    this.#remaining = remainingTimeOf(lambdaContext);
    if (opts.dedupe === true) this.#markMessageIdDuplicates();
    this.#keys = typeof opts.dedupe === 'function' ? new Map() : undefined;
  }

  /** Milliseconds until no record may start, or `undefined` without a usable Lambda context. */
  msUntilDeadline(): number | undefined {
    return this.#remaining === undefined ? undefined : this.#remaining() - this.opts.deadlineMarginMs;
  }

  /** Registers what to do when the deadline passes (resolves the batch at once). */
  setDeadlineListener(listener: () => void): void {
    this.#onDeadline = listener;
  }

  /** True when no record may start any more; reaching the deadline here finishes the batch. */
  mustStop(): boolean {
    if (this.finished) return true;
    if (this.#remaining !== undefined && this.#remaining() < this.opts.deadlineMarginMs) {
      this.reachDeadline();
      return true;
    }
    return false;
  }

  /** Finishes the batch at the deadline: in-flight → failed, unstarted → skipped. */
  reachDeadline(): void {
    if (this.finished) return;
    this.finished = true;
    const t = now();
    const margin = this.opts.deadlineMarginMs;
    for (let i = 0; i < this.n; i++) {
      const s = this.status[i];
      if (s === RUNNING) {
        this.status[i] = FAILED;
        this.errors[i] = new DeadlineError(`Message ${this.records[i]!.messageId}: cut off ${margin} ms before the Lambda deadline`);
        this.durations[i] = t - this.startedAt[i]!;
      } else if (s === PENDING) {
        this.status[i] = SKIPPED;
        this.errors[i] = new DeadlineError(`Message ${this.records[i]!.messageId}: not started, less than ${margin} ms left before the Lambda deadline`);
      }
    }
    this.inFlight = 0;
    this.abort.abort(new DeadlineError('Lambda deadline margin reached'));
    this.#onDeadline?.();
  }

  /** Marks a record skipped without running it. */
  skip(i: number, reason: Error): void {
    this.status[i] = SKIPPED;
    this.errors[i] = reason;
  }

  /**
   * Decodes, validates and handles record `i`; never rejects.
   * Resolves when the record settled (or at once when the deadline finished the batch).
   */
  async run(i: number): Promise<void> {
    const record = this.records[i]!;
    const opts = this.opts;
    const breaker = this.breaker;
    if (breaker !== undefined && !breaker.allow()) {
      this.skip(i, new CircuitOpenError(`Message ${record.messageId}: not started, the circuit breaker is ${breaker.state}`));
      return;
    }
    this.status[i] = RUNNING;
    const start = now();
    this.startedAt[i] = start;
    if (++this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
    try {
      const decoded = decodeBody(record, opts.envelope, opts.body);
      let message = decoded.value;
      if (opts.schema !== undefined) {
        message = validate(opts.schema, message, record.messageId);
        if (message instanceof Promise) message = await message;
      }
      if (this.#keys !== undefined && this.#isKeyDuplicate(i, message)) return;
      const ctx = messageContext(record, this.fifo, decoded.sns, this.abort.signal, opts.logger, this.lambdaContext);
      if (this.contexts !== undefined) this.contexts[i] = ctx;
      const result = this.handle(message, ctx);
      if (isThenable(result)) await result;
      if (this.finished) return;
      this.status[i] = SUCCEEDED;
      breaker?.success();
    } catch (thrown) {
      if (this.finished) return;
      const error = toError(thrown);
      this.status[i] = FAILED;
      this.errors[i] = error;
      if (breaker !== undefined) {
        // Poison says nothing about the downstream's health: it neither trips nor closes the breaker.
        if (isPermanent(error)) breaker.release();
        else breaker.failure();
      }
    } finally {
      if (!this.finished) {
        this.durations[i] = now() - start;
        this.inFlight--;
      }
    }
  }

  /** The context `handle` received for record `i`, or a new one (without `sns`) when it never ran. */
  contextOf(i: number): MessageContext {
    return this.contexts?.[i] ?? messageContext(this.records[i]!, this.fifo, undefined, this.abort.signal, this.opts.logger, this.lambdaContext);
  }

  /** FIFO: records in groups, in order of first appearance; no group id = one shared group. */
  groups(): number[][] {
    const byGroup = new Map<string | undefined, number[]>();
    for (let i = 0; i < this.n; i++) {
      const g = groupIdOf(this.records[i]!);
      const list = byGroup.get(g);
      if (list === undefined) byGroup.set(g, [i]);
      else list.push(i);
    }
    return [...byGroup.values()];
  }

  #isKeyDuplicate(i: number, message: unknown): boolean {
    const key = (this.opts.dedupe as (m: unknown, r: SqsRecord) => unknown)(message, this.records[i]!);
    if (typeof key !== 'string') {
      throw new TypeError(`Message ${this.records[i]!.messageId}: dedupe returned ${typeof key}, expected a string key`);
    }
    const first = this.#keys!.get(key);
    if (first === undefined) {
      this.#keys!.set(key, i);
      return false;
    }
    this.status[i] = DUPLICATE;
    this.originOf[i] = first;
    return true;
  }

  #markMessageIdDuplicates(): void {
    if (this.n < 2) return;
    // One hash operation per record; the original of a (rare) duplicate is found by a scan.
    const seen = new Set<string>();
    for (let i = 0; i < this.n; i++) {
      const id = this.records[i]!.messageId;
      const size = seen.size;
      if (seen.add(id).size !== size) continue;
      this.status[i] = DUPLICATE;
      let first = 0;
      while (this.records[first]!.messageId !== id) first++;
      this.originOf[i] = first;
    }
  }
}

/** True for a promise or any object with a `then` method. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value instanceof Promise || (typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function');
}

/** A usable `getRemainingTimeInMillis`, or `undefined` for a missing or bogus context. */
function remainingTimeOf(context: LambdaContext | undefined): (() => number) | undefined {
  const fn = (context as { getRemainingTimeInMillis?: unknown } | undefined)?.getRemainingTimeInMillis;
  if (typeof fn !== 'function') return undefined;
  // A clock that throws is as bogus as one that returns NaN: no deadline, rather than a
  // rejected batch (which Lambda would retry whole).
  const read = (): unknown => {
    try {
      return fn.call(context);
    } catch {
      return undefined;
    }
  };
  const probe = read();
  if (typeof probe !== 'number' || !Number.isFinite(probe)) return undefined;
  return () => {
    const ms = read();
    return typeof ms === 'number' && Number.isFinite(ms) ? ms : Number.POSITIVE_INFINITY;
  };
}
