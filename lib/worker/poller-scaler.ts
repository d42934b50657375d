/**
 * How many pollers the worker runs: between a minimum and a maximum, following the
 * backlog as receives reveal it.
 */

/** Most messages one `ReceiveMessage` returns. */
export const MAX_RECEIVE = 10;

/** What a poller does after a receive. */
export type ScaleDecision = 'add' | 'remove' | 'keep';

/**
 * Scaling rule: a full receive (10 messages: a backlog) adds a poller up to `max`; an
 * empty long poll (nothing waiting) retires the poller that made it, down to `min`;
 * anything else keeps the count.
 */
export class PollerScaler {
  readonly min: number;
  readonly max: number;

  constructor(min: number, max: number) {
    if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
      throw new RangeError(`Poller range must be integers with 1 <= min <= max; received min ${min}, max ${max}`);
    }
    this.min = min;
    this.max = max;
  }

  /**
   * @param received - messages the receive returned
   * @param running - pollers running now, the caller included
   */
  decide(received: number, running: number): ScaleDecision {
    if (received >= MAX_RECEIVE && running < this.max) return 'add';
    if (received === 0 && running > this.min) return 'remove';
    return 'keep';
  }
}

/**
 * Slots for records being handled across all pollers: a poller takes up to 10 before it
 * receives, so no more than `concurrency` records are handled at once. (A batch frees its
 * slots when its handler finishes, before its delete returns; the worker bounds those
 * awaiting deletes by `concurrency` too, so it holds at most twice that many messages.)
 */
export class Slots {
  readonly limit: number;
  private used = 0;
  /** Pollers waiting for a free slot, first come first served. */
  private readonly waiting: (() => void)[] = [];
  /** Signals that already have the one abort listener that wakes every waiter. */
  private readonly watched = new WeakSet<AbortSignal>();

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Slots taken now. */
  get inUse(): number {
    return this.used;
  }

  /**
   * Waits for a free slot, then takes up to `wanted` of the free ones.
   *
   * @returns the number taken, or 0 when `signal` aborted first
   */
  async take(wanted: number, signal: AbortSignal): Promise<number> {
    while (this.used >= this.limit) {
      if (signal.aborted) return 0;
      this.watch(signal);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    if (signal.aborted) return 0;
    const taken = Math.min(wanted, this.limit - this.used);
    this.used += taken;
    // Slots left over go to the next poller in line.
    if (this.used < this.limit) this.waiting.shift()?.();
    return taken;
  }

  /** Gives slots back and wakes the first waiting poller (which passes on what it leaves). */
  release(count: number): void {
    if (count <= 0) return;
    this.used -= count;
    this.waiting.shift()?.();
  }

  /** One listener per signal, not one per wait: on abort every waiter wakes and returns 0. */
  private watch(signal: AbortSignal): void {
    if (this.watched.has(signal)) return;
    this.watched.add(signal);
    signal.addEventListener('abort', () => {
      for (const wake of this.waiting.splice(0)) wake();
    }, { once: true });
  }
}
