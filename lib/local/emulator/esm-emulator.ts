/**
 * An emulator of one Lambda SQS event source mapping: long-polls the queue, batches by
 * batch size and batching window, invokes the function with up to `concurrency` batches
 * in flight, and applies the partial batch response rules to each response (`interpretResponse` of lib/sqs).
 *
 * FIFO: fauxqs, like SQS, hands out a message group only while none of its messages is
 * in flight, so a group never has two batches in flight and its order is kept.
 */
import { EventEmitter } from 'node:events';
import type { Message } from '@aws-sdk/client-sqs';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SqsEvent, SqsRecord } from '../../../lambda/runtime/index.ts';
import type { InvocationResult } from './lambda-invoker.ts';
import type { EmbeddedServer } from '../index.ts';
import { localClientConfig } from '../index.ts';
import type { EmulatorCounters, EmulatorEvents, EmulatorIds } from './emulator-events.ts';
import { zeroCounters } from './emulator-events.ts';
import { passesFilters } from './event-pattern.ts';
import { deleteMessages, interpretResponse, receiveMessages, releaseMessages, toSqsRecord } from '../../sqs/index.ts';

/** Concurrent batches when the mapping sets no `maxConcurrency`. */
export const DEFAULT_LOCAL_CONCURRENCY = 5;
/** Largest invocation payload Lambda accepts (6 MB); batching stops before it. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

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
  /** Batches in flight at most. @default {@link DEFAULT_LOCAL_CONCURRENCY} */
  readonly concurrency?: number;
  /** @default false */
  readonly reportBatchItemFailures?: boolean;
  /** Parsed `FilterCriteria` patterns; records matching none are deleted. @default none */
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
  readonly #sqs: SQSClient;
  #lanes: Promise<void>[] = [];
  #running = false;
  #inFlight = 0;

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

  constructor(options: EsmEmulatorOptions) {
    super();
    this.#o = options;
    this.#sqs = new SQSClient(localClientConfig(options.server));
  }

  /** The mapping's name. */
  get name(): string { return this.#o.name; }
  /** Messages received and not yet deleted, retried or released. */
  get inFlight(): number { return this.#inFlight; }

  /** Starts polling (idempotent). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const lanes = this.#o.concurrency ?? DEFAULT_LOCAL_CONCURRENCY;
    this.#lanes = Array.from({ length: lanes }, () => this.#lane());
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
    this.#sqs.destroy();
    this.emit('stopped');
    return settled;
  }

  async #lane(): Promise<void> {
    while (this.#running) {
      const batch = await this.#collect();
      if (batch.length === 0) continue;
      if (!this.#running) {
        await this.#settle('release', batch.map((m) => m.ReceiptHandle ?? ''), () => releaseMessages(this.#sqs, this.#o.queueUrl, batch.map((m) => m.ReceiptHandle ?? '')).then((code) => { if (code !== undefined) throw new Error(`release failed: ${code}`); }));
        continue;
      }
      await this.#process(batch);
    }
  }

  async #collect(): Promise<Message[]> {
    const batchSize = this.#o.batchSize ?? 10;
    const windowMs = (this.#o.maxBatchingWindowSeconds ?? 0) * 1000;
    const wait = this.#o.waitTimeSeconds ?? 1;
    const batch: Message[] = [];
    let bytes = 0;
    let windowEnd: number | undefined;
    while (this.#running && batch.length < batchSize && bytes < MAX_PAYLOAD_BYTES) {
      const remainingMs = windowEnd === undefined ? undefined : windowEnd - Date.now();
      if (remainingMs !== undefined && remainingMs <= 0) break;
      const waitSeconds = remainingMs === undefined ? wait : Math.min(wait, Math.floor(remainingMs / 1000));
      let messages: Message[];
      try {
        messages = await receiveMessages(this.#sqs, { queueUrl: this.#o.queueUrl, waitTimeSeconds: waitSeconds }, batchSize - batch.length);
      } catch (error) {
        this.#sqsError(error, 'receive');
        // Pace retries against a failing server (e.g. while it stops).
        await new Promise((r) => setTimeout(r, 250));
        break;
      }
      if (messages.length > 0) {
        this.#inFlight += messages.length;
        this.counters.received += messages.length;
        if (this.#trackIds) for (const m of messages) if (m.MessageId) this.ids.received.add(m.MessageId);
        this.emit('received', messages.length);
        batch.push(...messages);
        bytes += messages.reduce((n, m) => n + Buffer.byteLength(m.Body ?? ''), 0);
      }
      if (batch.length === 0) continue;
      if (windowMs === 0) break;
      windowEnd ??= Date.now() + windowMs;
      // Under a second of window left: short polls, paced so an empty queue is not hammered.
      if (messages.length === 0 && waitSeconds === 0) await new Promise((r) => setTimeout(r, Math.min(50, Math.max(1, windowEnd! - Date.now()))));
    }
    return batch;
  }

  async #process(batch: Message[]): Promise<void> {
    const records: SqsRecord[] = batch.map((m) => toSqsRecord(m, this.#o.queueArn, this.#o.server.region));
    const patterns = this.#o.filterPatterns ?? [];
    const rejected = records.filter((r) => !passesFilters(patterns, r));
    if (rejected.length > 0) {
      const ok = await this.#settle('delete', rejected.map((r) => r.receiptHandle), () => deleteMessages(this.#sqs, this.#o.queueUrl, rejected));
      if (ok) {
        this.counters.filtered += rejected.length;
        if (this.#trackIds) for (const r of rejected) this.ids.filtered.add(r.messageId);
        this.emit('filtered', rejected.length);
      }
    }
    const passed = records.filter((r) => !rejected.includes(r));
    if (passed.length === 0) return;
    const result = await this.#invoke({ Records: passed });
    const verdict = interpretResponse(result.outcome, passed.map((r) => r.messageId), this.#o.reportBatchItemFailures ?? false);
    const failed = new Set(verdict.kind === 'partial' ? verdict.failedIds : verdict.kind === 'batch-failed' ? passed.map((r) => r.messageId) : []);
    const toDelete = passed.filter((r) => !failed.has(r.messageId));
    const retried = passed.length - toDelete.length;
    this.#inFlight -= retried;
    const deleted = toDelete.length === 0 || await this.#settle('delete', toDelete.map((r) => r.receiptHandle), () => deleteMessages(this.#sqs, this.#o.queueUrl, toDelete));
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
  }

  async #invoke(event: SqsEvent): Promise<InvocationResult> {
    try {
      return await this.#o.invoke(event);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      return { outcome: { status: 'crashed', errorName: e.name, errorMessage: e.message }, requestId: '', durationMs: 0, coldStart: false };
    }
  }

  /** Runs an SQS call that settles `handles`; they leave the in-flight count either way. */
  async #settle(operation: 'delete' | 'release', handles: readonly string[], call: () => Promise<unknown>): Promise<boolean> {
    try {
      const result = await call();
      const failed = (result as { failed?: readonly string[] } | undefined)?.failed?.length ?? 0;
      if (failed > 0) throw new Error(`${failed} of ${handles.length} deletes failed`);
      return true;
    } catch (error) {
      this.#sqsError(error, operation);
      return false;
    } finally {
      this.#inFlight -= handles.length;
    }
  }

  #sqsError(error: unknown, operation: 'receive' | 'delete' | 'release'): void {
    this.counters.sqsErrors += 1;
    if (this.listenerCount('error') > 0) this.emit('error', error instanceof Error ? error : new Error(String(error)), operation);
  }
}
