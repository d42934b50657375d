/**
 * How many batches an event source mapping emulator keeps in flight, following Lambda's
 * scaling of SQS pollers ("Configuring scaling behavior for SQS event source mappings"):
 * it starts with five concurrent batches, adds more while messages remain (up to 300 per
 * minute, i.e. one every 200 ms), scales back to five when the queue runs dry, and backs
 * off after function errors. Never above the cap (`maxConcurrency`, reserved concurrency,
 * or the local ceiling).
 */

/** Concurrent batches Lambda starts an SQS event source mapping with. */
export const INITIAL_CONCURRENCY = 5;
/** Lambda adds up to 300 concurrent batches a minute: one every 200 ms. */
export const SCALE_UP_INTERVAL_MS = 200;
/** After a failed invocation, no scale-up for this long. */
export const ERROR_HOLD_MS = 1000;

/**
 * The target number of concurrent batches (lanes) of one mapping. Lanes ask it after each
 * receive; a lane leaves when more lanes run than the target.
 */
export class LaneScaler {
  /** Most concurrent batches. */
  readonly max: number;
  /** What the mapping starts with and scales back to when idle: `min(5, max)`. */
  readonly min: number;
  #target: number;
  #lastUp = Number.NEGATIVE_INFINITY;
  #holdUntil = Number.NEGATIVE_INFINITY;

  /** @param max - the cap, at least 1. */
  constructor(max: number) {
    this.max = Math.max(1, Math.floor(max));
    this.min = Math.min(INITIAL_CONCURRENCY, this.max);
    this.#target = this.min;
  }

  /** Concurrent batches wanted now. */
  get target(): number { return this.#target; }

  /**
   * A receive filled its batch (messages remain).
   *
   * @returns true when one more lane should start.
   */
  backlog(now: number): boolean {
    if (this.#target >= this.max || now - this.#lastUp < SCALE_UP_INTERVAL_MS || now < this.#holdUntil) return false;
    this.#target += 1;
    this.#lastUp = now;
    return true;
  }

  /** A long poll came back empty: one lane fewer, down to {@link min}. */
  idle(): void {
    if (this.#target > this.min) this.#target -= 1;
  }

  /** An invocation failed as a whole (error, timeout, unusable response): one lane fewer, at least one, and a pause in scaling up. */
  failed(now: number): void {
    this.#target = Math.max(1, this.#target - 1);
    this.#holdUntil = now + ERROR_HOLD_MS;
  }
}
