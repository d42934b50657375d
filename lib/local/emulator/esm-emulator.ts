/**
 * An emulator of one Lambda SQS event source mapping: long-polls the queue, batches by
 * batch size, batching window and the 6 MB invocation payload, invokes the function with
 * a number of batches in flight that scales like Lambda's pollers (lane-scaler.ts), and
 * applies the partial batch response rules to each response (`interpretResponse` of lib/sqs).
 *
 * Payload cut: a batch stops before the record that would take the event
 * (`{"Records":[…]}`, record metadata included) over 6 MB. Messages received beyond the cut
 * stay with the lane that received them (still invisible, counted once) and start its next
 * batch.
 *
 * FIFO: fauxqs, like SQS, hands out a message group only while none of its messages is
 * in flight, so a group never has two batches in flight and its order is kept. A lane's
 * held-back messages of a group whose batch did not fully succeed are released instead of
 * invoked, so they come back after the failed ones. (fauxqs returns at most one message
 * per group and receive, so locally that case arises only with SQS's own behaviour of
 * returning several.)
 */
import { EventEmitter } from 'node:events';
import type { Message } from '@aws-sdk/client-sqs';
import { toError } from '../../../lambda/runtime/index.ts';
import type { SqsEvent, SqsRecord } from '../../../lambda/runtime/index.ts';
import type { InvocationResult } from './lambda-invoker.ts';
import type { EmbeddedServer } from '../index.ts';
import { checkSqsFilterPattern } from '../model/index.ts';
import type { EmulatorCounters, EmulatorEvents, EmulatorIds } from './emulator-events.ts';
import { zeroCounters } from './emulator-events.ts';
import { passesFilters } from './event-pattern.ts';
import { LaneScaler } from './lane-scaler.ts';
import { MappingQueue } from './mapping-queue.ts';
import { BatchBuilder, payloadBytes } from './payload.ts';
import { interpretResponse, toSqsRecord } from '../../sqs/index.ts';

/** Most concurrent batches of a mapping without `maxConcurrency` locally (Lambda: up to 1,000). */
export const DEFAULT_LOCAL_CONCURRENCY = 10;

/** Options of {@link EsmEmulator}. */
export interface EsmEmulatorOptions {
  /** Name used in events and summaries (the function's path). */
  readonly name: string;
  readonly server: Pick<EmbeddedServer, 'endpoint' | 'region'>;
  readonly queueUrl: string;
  readonly queueArn: string;
  /** @default 10 */
  readonly batchSize?: number;
  /** @default 0 (invoke as soon as a receive returns records) */
  readonly maxBatchingWindowSeconds?: number;
  /**
   * Batches in flight at most: the mapping's `maxConcurrency`, capped by the function's
   * reserved concurrency. Polling starts with `min(5, concurrency)` and scales up while
   * messages remain. @default {@link DEFAULT_LOCAL_CONCURRENCY}
   */
  readonly concurrency?: number;
  /** @default false */
  readonly reportBatchItemFailures?: boolean;
  /** Parsed `FilterCriteria` patterns (`body` rules only); records matching none are deleted. @default none */
  readonly filterPatterns?: readonly Record<string, unknown>[];
  /** Runs the function on one event. */
  readonly invoke: (event: SqsEvent) => Promise<InvocationResult>;
  /**
   * `WaitTimeSeconds` of each receive. Lambda uses 20; locally 1 keeps `stop()` quick.
   * @default 1
   */
  readonly waitTimeSeconds?: number;
}

/**
 * One event source mapping, polling while started.
 *
 * @example
 * const esm = new EsmEmulator({ name: 'fn', server, queueUrl, queueArn, reportBatchItemFailures: true, invoke: (e) => invoker.invoke(e) });
 * esm.on('batch', (b) => console.log(b.verdict.kind));
 * esm.start();
 * await esm.stop();
 */
export class EsmEmulator extends EventEmitter<EmulatorEvents> {
  /** Running totals. */
  readonly counters: EmulatorCounters = zeroCounters();
  /** Distinct message ids per outcome (for reconciliation; see {@link stopTrackingIds}). */
  readonly ids: EmulatorIds = { received: new Set(), succeeded: new Set(), filtered: new Set() };
  #trackIds = true;
  readonly #o: EsmEmulatorOptions;
  readonly #queue: MappingQueue;
  readonly #scaler: LaneScaler;
  readonly #fifo: boolean;
  #lanes: Promise<void>[] = [];
  #lanesAlive = 0;
  #running = false;
  #invoking = 0;

  /**
   * @throws {FilterCriteriaError} when a filter pattern is one Lambda rejects for SQS (see `checkSqsFilterPattern`).
   */
  constructor(options: EsmEmulatorOptions) {
    super();
    options.filterPatterns?.forEach((pattern, i) => checkSqsFilterPattern(pattern, options.name, i));
    this.#o = options;
    this.#queue = new MappingQueue(options.server, options.queueUrl, (error, operation) => {
      this.counters.sqsErrors += 1;
      if (this.listenerCount('error') > 0) this.emit('error', error, operation);
    });
    this.#scaler = new LaneScaler(options.concurrency ?? DEFAULT_LOCAL_CONCURRENCY);
    this.#fifo = options.queueArn.endsWith('.fifo');
  }

  /**
   * Stops recording message ids and drops those recorded, so a long-running emulator
   * (`sluice dev --watch`) keeps flat memory once reconciliation is done; `counters` go on.
   */
  stopTrackingIds(): void {
    this.#trackIds = false;
    this.ids.received.clear();
    this.ids.succeeded.clear();
    this.ids.filtered.clear();
  }

  /** The mapping's name. */
  get name(): string { return this.#o.name; }
  /** Messages received and not yet deleted, retried or released. */
  get inFlight(): number { return this.#queue.inFlight; }
  /** Concurrent batches the mapping aims for now (scales between `min(5, maxConcurrency)` and {@link maxConcurrency}). */
  get concurrency(): number { return this.#scaler.target; }
  /** Most concurrent batches. */
  get maxConcurrency(): number { return this.#scaler.max; }

  /** Starts polling (idempotent). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    for (let i = 0; i < this.#scaler.target; i++) this.#addLane();
  }

  /**
   * Stops polling and waits for in-flight invocations to finish and be applied, at most
   * `timeoutMs`; received but unprocessed messages are released.
   *
   * @returns true when everything settled in time.
   */
  async stop(timeoutMs = 30_000): Promise<boolean> {
    this.#running = false;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs); });
    const settled = await Promise.race([Promise.all(this.#lanes).then(() => true as const), timedOut]);
    clearTimeout(timer);
    this.#queue.destroy();
    this.emit('stopped');
    return settled;
  }

  #addLane(): void {
    this.#lanesAlive += 1;
    this.#lanes.push(this.#lane());
  }

  async #lane(): Promise<void> {
    const held: Message[] = [];
    try {
      // A lane above the target leaves, but only once it holds no messages (releasing them would count a receive).
      while (this.#running && (held.length > 0 || this.#lanesAlive <= this.#scaler.target)) {
        const { batch, more } = await this.#collect(held);
        if (batch.length === 0) {
          this.#scaler.idle();
          continue;
        }
        if (!this.#running) {
          held.unshift(...batch);
          break;
        }
        if (more && this.#scaler.backlog(Date.now())) this.#addLane();
        const unfinishedGroups = await this.#process(batch);
        const blocked = held.filter((m) => unfinishedGroups.has(m.Attributes?.MessageGroupId ?? ''));
        if (blocked.length > 0) {
          held.splice(0, held.length, ...held.filter((m) => !blocked.includes(m)));
          await this.#queue.release(blocked);
        }
      }
    } finally {
      this.#lanesAlive -= 1;
      if (held.length > 0) await this.#queue.release(held.splice(0));
    }
  }

  /**
   * Gathers one batch: first the lane's held-back messages, then receives, until the batch
   * size, the batching window or the payload limit; what a receive returns beyond the
   * cut goes back to `held`.
   *
   * @returns the batch, and whether messages remain (the batch is full or was cut).
   */
  async #collect(held: Message[]): Promise<{ batch: Message[]; more: boolean }> {
    const batchSize = this.#o.batchSize ?? 10;
    const windowMs = (this.#o.maxBatchingWindowSeconds ?? 0) * 1000;
    const wait = this.#o.waitTimeSeconds ?? 1;
    const builder = new BatchBuilder<Message>(batchSize, (m) => payloadBytes(this.#record(m)));
    const batch = builder.items;
    held.push(...builder.add(held.splice(0)));
    let windowEnd = batch.length > 0 && windowMs > 0 ? Date.now() + windowMs : undefined;
    while (this.#running && !builder.cut && !builder.full && !(batch.length > 0 && windowMs === 0)) {
      const remainingMs = windowEnd === undefined ? undefined : windowEnd - Date.now();
      if (remainingMs !== undefined && remainingMs <= 0) break;
      const waitSeconds = remainingMs === undefined ? wait : Math.min(wait, Math.floor(remainingMs / 1000));
      const messages = await this.#queue.receive(batchSize - batch.length, waitSeconds);
      if (messages === undefined) break;
      if (messages.length > 0) {
        this.counters.received += messages.length;
        if (this.#trackIds) for (const m of messages) if (m.MessageId) this.ids.received.add(m.MessageId);
        this.emit('received', messages.length);
        held.push(...builder.add(messages));
      }
      // An empty long poll with nothing gathered: let the lane decide whether to go on.
      if (batch.length === 0 || windowMs === 0) break;
      windowEnd ??= Date.now() + windowMs;
      // Under a second of window left: short polls, paced so an empty queue is not hammered.
      if (messages.length === 0 && waitSeconds === 0) await new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, windowEnd! - Date.now()))));
    }
    return { batch, more: builder.cut || builder.full };
  }

  #record(m: Message): SqsRecord {
    return toSqsRecord(m, this.#o.queueArn, this.#o.server.region);
  }

  /**
   * Filters, invokes and applies the verdict to one batch.
   *
   * @returns on a FIFO queue, the message groups with a record that did not succeed.
   */
  async #process(batch: Message[]): Promise<Set<string>> {
    const records = batch.map((m) => this.#record(m));
    const patterns = this.#o.filterPatterns ?? [];
    const rejected = records.filter((r) => !passesFilters(patterns, r));
    if (rejected.length > 0) {
      const ok = await this.#queue.delete(rejected);
      if (ok) {
        this.counters.filtered += rejected.length;
        if (this.#trackIds) for (const r of rejected) this.ids.filtered.add(r.messageId);
        this.emit('filtered', rejected.length);
      }
    }
    const passed = records.filter((r) => !rejected.includes(r));
    if (passed.length === 0) return new Set();
    const result = await this.#invoke({ Records: passed });
    const verdict = interpretResponse(result.outcome, passed.map((r) => r.messageId), this.#o.reportBatchItemFailures ?? false);
    if (verdict.kind === 'batch-failed') this.#scaler.failed(Date.now());
    const failed = new Set(verdict.kind === 'partial' ? verdict.failedIds : verdict.kind === 'batch-failed' ? passed.map((r) => r.messageId) : []);
    const toDelete = passed.filter((r) => !failed.has(r.messageId));
    const retried = passed.length - toDelete.length;
    this.#queue.leave(retried);
    const deleted = toDelete.length === 0 || await this.#queue.delete(toDelete);
    const c = this.counters;
    c.batches += 1;
    c.invoked += passed.length;
    c.retried += retried;
    c.invocationMs += result.durationMs;
    if (verdict.kind === 'batch-failed') c.batchErrors += 1;
    if (deleted) {
      c.succeeded += toDelete.length;
      if (this.#trackIds) for (const r of toDelete) this.ids.succeeded.add(r.messageId);
    }
    this.emit('batch', {
      mapping: this.#o.name, requestId: result.requestId, size: passed.length, verdict,
      deleted: deleted ? toDelete.length : 0, retried, durationMs: result.durationMs, coldStart: result.coldStart,
    });
    return this.#fifo ? new Set(passed.filter((r) => failed.has(r.messageId)).map((r) => r.attributes.MessageGroupId ?? '')) : new Set();
  }

  async #invoke(event: SqsEvent): Promise<InvocationResult> {
    this.#invoking += 1;
    this.counters.maxConcurrentInvocations = Math.max(this.counters.maxConcurrentInvocations, this.#invoking);
    try {
      return await this.#o.invoke(event);
    } catch (error) {
      const e = toError(error);
      return { outcome: { status: 'crashed', errorName: e.name, errorMessage: e.message }, requestId: '', durationMs: 0, coldStart: false };
    } finally {
      this.#invoking -= 1;
    }
  }
}
