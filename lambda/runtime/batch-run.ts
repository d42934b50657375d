/**
 * The state of one batch while it runs: one slot per record (status, error, timing),
 * the in-flight count, the deadline and the abort signal. The pool (`pool.ts`) drives
 * it; `process-batch.ts` turns it into a result.
 */
import { checkRecord } from './check-event.ts';
import { decodeBody, validate } from './decode.ts';
import { DeadlineError, toError } from './errors.ts';
import { groupIdOf, messageContext } from './message-context.ts';
import type { ResolvedOptions } from './options.ts';
import type {
  BatchStats, GuardedBatch, Handle, IdempotencyMetrics, LambdaContext, MessageContext, OutcomeStatus, RecordOutcome, RetryBatch, RetryRuntime, SnsDetails,
  SqsRecord,
} from './types.ts';

/** Slot states; `PENDING` and `RUNNING` never survive finalization. */
export const PENDING = 0;
export const RUNNING = 1;
export const SUCCEEDED = 2;
export const FAILED = 3;
export const SKIPPED = 4;
export const DUPLICATE = 5;

/** Public status of each final slot state. */
export const STATUS_NAMES: readonly OutcomeStatus[] = ['skipped', 'failed', 'succeeded', 'failed', 'skipped', 'duplicate'];

/** With `retry`: what happened to a record after it failed (its `disposition`). */
export const DEAD_LETTERED = 1;
export const DELAYED = 2;

const now = (): number => performance.now();

/**
 * One batch in progress. Created per call; never shared between calls.
 *
 * The pool starts a record with {@link BatchRun.start}; when that returns a promise, the
 * pool waits for it and reports it with {@link BatchRun.succeeded} or {@link BatchRun.failed}
 * (no promise or closure of the engine's own per record).
 */
export class BatchRun implements GuardedBatch, RetryBatch {
  // The fields set in the constructor are `declare`d: a class field would be emitted (and bundled) once more.
  declare readonly records: readonly SqsRecord[];
  declare readonly n: number;
  declare readonly opts: ResolvedOptions;
  declare readonly fifo: boolean;
  declare readonly status: Uint8Array;
  declare readonly errors: (Error | undefined)[];
  declare readonly durations: Float64Array;
  /** For duplicates: the index of the record they copy. */
  declare readonly originOf: Int32Array;
  /** With `retry`: what happened after a failure (`retry.ts`: dead-lettered, delayed). */
  declare readonly disposition: Uint8Array;
  /** With `retry.backoff`: the visibility timeout set for a delayed record, in seconds. */
  declare readonly visibility: Int32Array;
  /** What `retryPolicy(...)` attached to the handler, if anything. */
  declare readonly retry: RetryRuntime | undefined;
  readonly startTime = now();
  maxInFlight = 0;
  /** Set once the deadline was reached; later settlements are ignored. */
  finished = false;
  /** `stop-batch`: the failure that stopped the batch. */
  stopError: Error | undefined;
  /** Written by `decodeBody` for the record being decoded (an unwrapped envelope), read at once. */
  sns: SnsDetails | undefined;
  /** Set by the `idempotency` guard: adds its counts when the batch settled. */
  declare onSettle?: ((stats: BatchStats, outcomes: RecordOutcome[] | undefined) => IdempotencyMetrics) | undefined;
  readonly #handle: Handle<unknown>;
  readonly #lambdaContext: LambdaContext | undefined;
  /** Per-record start times; empty when nothing reads `durations` (no outcome is built). */
  readonly #startedAt: Float64Array;
  /** True when outcomes are built (`processBatch`, `onFailure`): only then is each record timed. */
  readonly #timed: boolean;
  /**
   * Aborts every record's `signal` at the deadline. One per batch even without a deadline:
   * listeners a handler leaves on its `signal` then go with the batch.
   */
  readonly #abort = new AbortController();
  /** `#abort.signal`, read once (a getter call per record otherwise). */
  readonly #signal = this.#abort.signal;
  /** With `onFailure`: the context each record's `handle` received, for the callback. */
  readonly #contexts: (MessageContext | undefined)[] | undefined;
  readonly #keys: Map<string, number> | undefined;
  /** A usable `getRemainingTimeInMillis` of the Lambda context, if any (see {@link clockOf}). */
  readonly #clock: (() => unknown) | undefined;
  #inFlight = 0;
  /** Called once the deadline finished the batch (the pool resolves with it). */
  onDeadline: (() => void) | undefined;

  /**
   * @param timed - time each record (`durations`), for outcomes; `onFailure` implies it
   */
  constructor(records: readonly SqsRecord[], handle: Handle<unknown>, opts: ResolvedOptions, lambdaContext: LambdaContext | undefined, timed = false) {
    const n = records.length;
    const { dedupe, retry } = opts;
    const timing = timed || opts.onFailure !== undefined;
    this.#timed = timing;
    this.records = records;
    this.n = n;
    this.opts = opts;
    this.retry = retry;
    this.#lambdaContext = lambdaContext;
    this.status = new Uint8Array(n);
    this.errors = new Array<Error | undefined>(n);
    this.#startedAt = new Float64Array(timing ? n : 0);
    this.durations = new Float64Array(timing ? n : 0);
    this.originOf = new Int32Array(dedupe === false ? 0 : n);
    this.disposition = new Uint8Array(retry === undefined ? 0 : n);
    this.visibility = new Int32Array(retry?.delays === true ? n : 0);
    this.#contexts = opts.onFailure === undefined ? undefined : new Array<MessageContext | undefined>(n);
    this.fifo = this.#scan(dedupe === true, opts.fifo);
    // With `idempotency`, the store's guard claims each key around `handle`.
    this.#handle = opts.idempotency?.(handle, this) ?? handle;
    this.#clock = clockOf(lambdaContext);
    this.#keys = typeof dedupe === 'function' ? new Map() : undefined;
  }

  /** Milliseconds until no record may start, or `undefined` without a usable Lambda context. */
  msUntilDeadline(): number | undefined {
    return this.#clock === undefined ? undefined : this.#remaining() - this.opts.deadlineMarginMs;
  }

  /** True when no record may start any more; reaching the deadline here finishes the batch. */
  mustStop(): boolean {
    if (this.finished) return true;
    if (this.#clock !== undefined && this.#remaining() < this.opts.deadlineMarginMs) {
      this.reachDeadline();
      return true;
    }
    return false;
  }

  /** Finishes the batch at the deadline: in-flight → failed, unstarted → skipped. */
  reachDeadline(): void {
    if (this.finished) return;
    this.finished = true;
    const { status, errors, records } = this;
    const t = this.#timed ? now() : 0;
    const margin = this.opts.deadlineMarginMs;
    for (let i = 0; i < this.n; i++) {
      const s = status[i];
      if (s === RUNNING) {
        status[i] = FAILED;
        errors[i] = new DeadlineError(`Message ${records[i]!.messageId}: cut off ${margin} ms before the Lambda deadline`);
        if (this.#timed) this.durations[i] = t - this.#startedAt[i]!;
      } else if (s === PENDING) {
        status[i] = SKIPPED;
        errors[i] = new DeadlineError(`Message ${records[i]!.messageId}: not started, less than ${margin} ms left before the Lambda deadline`);
      }
    }
    this.#abort.abort(new DeadlineError('Lambda deadline margin reached'));
    this.onDeadline?.();
  }

  /** Marks a record skipped without running it. */
  skip(i: number, reason: Error): void {
    this.status[i] = SKIPPED;
    this.errors[i] = reason;
  }

  /**
   * Starts record `i`: decodes and validates it and calls `handle`. Never throws.
   *
   * @returns what `handle` returned when it is a promise (or thenable): the caller waits for
   *   it, then calls {@link succeeded} or {@link failed}; otherwise `undefined`, the record
   *   having settled already (a synchronous `handle`, a decoding failure) or been skipped
   */
  start(i: number): PromiseLike<unknown> | undefined {
    const record = this.records[i]!;
    const refusal = this.retry?.admit(record.messageId);
    if (refusal !== undefined) {
      this.skip(i, refusal);
      return undefined;
    }
    this.status[i] = RUNNING;
    if (this.#timed) this.#startedAt[i] = now();
    if (++this.#inFlight > this.maxInFlight) this.maxInFlight = this.#inFlight;
    try {
      // Decoding, validation and the call of `handle` happen here, not in helpers: each frame
      // between the pool and `handle` is one more frame in the stack trace of every error
      // `handle` creates, and capturing one costs ~0.25 µs.
      const opts = this.opts;
      this.sns = undefined;
      const decoded = decodeBody(record, opts.envelope, opts.body, this);
      const sns = this.sns;
      let result: unknown;
      if (opts.schema === undefined) result = this.#invoke(i, record, decoded, sns);
      else {
        const message = validate(opts.schema, decoded, record.messageId);
        result = message instanceof Promise ? message.then((m) => this.#invoke(i, record, m, sns)) : this.#invoke(i, record, message, sns);
      }
      // (Inside the try: a returned object whose `then` getter throws fails its record only.)
      if (isThenable(result)) return result;
    } catch (thrown) {
      this.failed(i, thrown);
      return undefined;
    }
    this.succeeded(i);
    return undefined;
  }

  /** Record `i`'s `handle` resolved (ignored once the deadline finished the batch). */
  succeeded(i: number): void {
    if (this.finished) return;
    // A duplicate found by key keeps its status.
    if (this.status[i] === RUNNING) {
      this.status[i] = SUCCEEDED;
      this.retry?.settled(undefined);
    }
    this.#settle(i);
  }

  /** Record `i` failed: decoding, or `handle` threw or rejected (ignored once the deadline finished the batch). */
  failed(i: number, thrown: unknown): void {
    if (this.finished) return;
    const error = toError(thrown);
    this.status[i] = FAILED;
    this.errors[i] = error;
    this.retry?.settled(error);
    this.#settle(i);
  }

  /** The context `handle` received for record `i`, or a new one (without `sns`) when it never ran. */
  contextOf(i: number): MessageContext {
    return this.#contexts?.[i] ?? this.#context(this.records[i]!, undefined);
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

  /**
   * The Lambda context's remaining time; `Infinity` when its clock throws or stops giving a
   * finite number (a method, not a closure per batch: optimized code that inlined a
   * closure is thrown away once that closure is collected).
   */
  #remaining(): number {
    const ms = read(this.#clock!, this.#lambdaContext);
    // (`Number.isFinite` is false for anything but a finite number.)
    return Number.isFinite(ms) ? (ms as number) : Infinity;
  }

  #settle(i: number): void {
    if (this.#timed) this.durations[i] = now() - this.#startedAt[i]!;
    this.#inFlight--;
  }

  #context(record: SqsRecord, sns: SnsDetails | undefined): MessageContext {
    return messageContext(record, this.fifo, sns, this.#signal, this.opts.logger, this.#lambdaContext);
  }

  #invoke(i: number, record: SqsRecord, message: unknown, sns: SnsDetails | undefined): unknown {
    if (this.#keys !== undefined) {
      const key = (this.opts.dedupe as (m: unknown, r: SqsRecord) => unknown)(message, record);
      if (typeof key !== 'string') throw new TypeError(`Message ${record.messageId}: dedupe returned ${typeof key}, expected a string key`);
      const first = this.#keys.get(key);
      if (first !== undefined) return this.#duplicate(i, first);
      this.#keys.set(key, i);
    }
    const ctx = this.#context(record, sns);
    if (this.#contexts !== undefined) this.#contexts[i] = ctx;
    return this.#handle(message, ctx);
  }

  #duplicate(i: number, first: number): undefined {
    this.status[i] = DUPLICATE;
    this.originOf[i] = first;
    return undefined;
  }

  /**
   * One pass over the records, before any starts: checks each (`InvalidEventError`),
   * tells whether the batch is FIFO (with `fifo: 'auto'`, a record from a `.fifo` queue),
   * and with `messageIds` marks the later copies of a messageId as duplicates.
   */
  #scan(messageIds: boolean, fifo: 'auto' | boolean): boolean {
    const { records, n } = this;
    let isFifo = fifo === true;
    // An open-addressing table of record indices (+1) keyed by a fingerprint of the id: a
    // `Set` of the ids costs ~3× as much (hashing, growth). Equal fingerprints are told
    // apart by comparing the ids, so any fingerprint is correct; this one is fast.
    const mask = messageIds && n > 1 ? (4 << (31 - Math.clz32(n))) - 1 : 0; // 2n to 4n slots
    const table = new Int32Array(mask && mask + 1);
    for (let i = 0; i < n; i++) {
      const record = records[i];
      checkRecord(record, i);
      if (fifo === 'auto' && !isFifo) {
        const arn = record.eventSourceARN;
        isFifo = typeof arn === 'string' && arn.endsWith('.fifo');
      }
      if (mask === 0) continue;
      const id = record.messageId;
      const len = id.length;
      // Up to ~16 characters, spread over the id, and its length.
      let h = len;
      for (let k = len - 1, step = (len >> 4) + 1; k >= 0; k -= step) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
      for (let slot = (h ^ (h >>> 15)) & mask; ; slot = (slot + 1) & mask) {
        const j = table[slot]!;
        if (j === 0) {
          table[slot] = i + 1;
          break;
        }
        if (records[j - 1]!.messageId === id) {
          this.#duplicate(i, j - 1);
          break;
        }
      }
    }
    return isFifo;
  }
}

/** True for a promise or any other thenable (an object or function with a `then` method). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null | undefined)?.then === 'function';
}

/** Calls the clock; a clock that throws reads as `undefined` (no deadline rather than a rejected batch, which Lambda would retry whole). */
function read(clock: () => unknown, context: LambdaContext | undefined): unknown {
  try {
    return clock.call(context);
  } catch {
    return undefined;
  }
}

/** A usable `getRemainingTimeInMillis` (its first reading is a finite number), or `undefined` for a missing or bogus context. */
function clockOf(context: LambdaContext | undefined): (() => unknown) | undefined {
  const fn = (context as { getRemainingTimeInMillis?: unknown } | undefined)?.getRemainingTimeInMillis;
  if (typeof fn !== 'function') return undefined;
  return Number.isFinite(read(fn as () => unknown, context)) ? (fn as () => unknown) : undefined;
}
