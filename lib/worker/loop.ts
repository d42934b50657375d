/**
 * The worker's pollers: each takes free slots, long-polls for up to 10 messages, hands
 * the batch off and polls again. Full receives add pollers, empty ones retire them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from '@aws-sdk/client-sqs';
import { toError } from '../../lambda/runtime/index.ts';
import type { SluiceLogger } from '../../lambda/runtime/index.ts';
import { MAX_RECEIVE } from './poller-scaler.ts';
import type { PollerScaler, Slots } from './poller-scaler.ts';

/** What the loop needs from its worker. */
export interface WorkerLoopOptions {
  readonly scaler: PollerScaler;
  readonly slots: Slots;
  /** One `ReceiveMessage` for at most `max` messages; aborts with `signal`. */
  readonly receive: (max: number, signal: AbortSignal) => Promise<Message[]>;
  /**
   * Processes one batch; must not reject. Calls `handled` once the handler is done with
   * every message and only the delete is left, so the batch's slots can serve the next receive.
   * `receiveStartedAt` is the epoch ms at which the receive that returned the batch was sent.
   */
  readonly process: (messages: Message[], handled: () => void, receiveStartedAt: number) => Promise<void>;
  /** Gives back messages received after the stop began. */
  readonly release: (messages: Message[]) => Promise<void>;
  readonly onPollers: (count: number) => void;
  readonly logger: SluiceLogger;
}

/** Longest pause after failing receives, in milliseconds. */
const MAX_ERROR_BACKOFF_MS = 5000;

/** Pollers and in-flight batches of one worker. */
export class WorkerLoop {
  /** Receives that failed in a row (reset by a successful one). */
  failingReceives = 0;
  private readonly opts: WorkerLoopOptions;
  private readonly stopSignal = new AbortController();
  private readonly pollerRuns = new Set<Promise<void>>();
  private readonly batches = new Set<Promise<void>>();
  private running = 0;
  private peak = 0;
  private processing = 0;
  /** Messages of batches whose handler is done and whose delete is still running. */
  private deleting = 0;

  constructor(opts: WorkerLoopOptions) {
    this.opts = opts;
  }

  /** Pollers running now. */
  get pollers(): number {
    return this.running;
  }

  /** Most pollers that ran at once. */
  get peakPollers(): number {
    return this.peak;
  }

  /** Messages handed to `process` and not yet done. */
  get inFlight(): number {
    return this.processing;
  }

  /** Starts the minimum number of pollers. */
  start(): void {
    for (let i = 0; i < this.opts.scaler.min; i++) this.spawn();
  }

  /** Stops receiving (pending long polls abort) and resolves when every batch is done. */
  async stop(): Promise<void> {
    this.stopSignal.abort();
    while (this.pollerRuns.size > 0) await Promise.all([...this.pollerRuns]);
    while (this.batches.size > 0) await Promise.all([...this.batches]);
  }

  private spawn(): void {
    if (this.stopSignal.signal.aborted || this.running >= this.opts.scaler.max) return;
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    this.opts.onPollers(this.running);
    const run: Promise<void> = this.poll().then((retired) => {
      if (!retired) this.running--;
      this.opts.onPollers(this.running);
      this.pollerRuns.delete(run);
    });
    this.pollerRuns.add(run);
  }

  /** One poller; resolves true when it retired itself (already uncounted). */
  private async poll(): Promise<boolean> {
    const { slots, scaler, logger } = this.opts;
    const signal = this.stopSignal.signal;
    while (!signal.aborted) {
      const taken = await slots.take(MAX_RECEIVE, signal);
      if (taken === 0) break;
      let messages: Message[];
      const receiveStartedAt = Date.now();
      try {
        messages = await this.opts.receive(taken, signal);
        this.failingReceives = 0;
      } catch (thrown) {
        slots.release(taken);
        if (signal.aborted) break;
        this.failingReceives++;
        logger.warn('ReceiveMessage failed', { error: toError(thrown).name, consecutive: this.failingReceives });
        const delayMs = Math.min(MAX_ERROR_BACKOFF_MS, 100 * 2 ** this.failingReceives);
        await sleep(delayMs, undefined, { signal }).catch(() => undefined);
        continue;
      }
      slots.release(taken - messages.length);
      if (signal.aborted) {
        slots.release(messages.length);
        if (messages.length > 0) await this.opts.release(messages);
        break;
      }
      const decision = scaler.decide(messages.length, this.running);
      if (messages.length > 0) this.dispatch(messages, receiveStartedAt);
      if (decision === 'add') {
        this.spawn();
        logger.debug('Poller added', { pollers: this.running });
      } else if (decision === 'remove') {
        this.running--;
        logger.debug('Poller retired', { pollers: this.running });
        return true;
      }
    }
    return false;
  }

  private dispatch(messages: Message[], receiveStartedAt: number): void {
    const n = messages.length;
    const { slots } = this.opts;
    this.processing += n;
    let freed = false;
    // The handler is done: free the batch's slots while its delete runs, so the next receive
    // overlaps the delete; at most `slots.limit` messages wait on deletes this way.
    const handled = (): void => {
      if (freed || this.deleting + n > slots.limit) return;
      freed = true;
      this.deleting += n;
      slots.release(n);
    };
    const run: Promise<void> = this.opts.process(messages, handled, receiveStartedAt).catch((thrown: unknown) => {
      this.opts.logger.error('Batch processing failed unexpectedly', { records: n, error: toError(thrown).name });
    }).finally(() => {
      this.processing -= n;
      if (freed) this.deleting -= n;
      else slots.release(n);
      this.batches.delete(run);
    });
    this.batches.add(run);
  }
}
