/**
 * A circuit breaker per execution environment (README "Retries"): it opens after
 * `failureThreshold` consecutive transient failures, rejects records while open, lets
 * one probe through after `cooldownMs` (half-open), and closes when the probe succeeds.
 */
import type { CircuitBreakerOptions, SluiceLogger } from './types.ts';

/** Breaker states. */
export type CircuitState = 'closed' | 'open' | 'half-open';

/** One breaker; its state survives between invocations of the same handler. */
export class CircuitBreaker {
  state: CircuitState = 'closed';
  /** State changes since the last `takeChanges()` (for the metrics line). */
  #changes = 0;
  #failures = 0;
  #openedAt = 0;
  #probing = false;
  readonly #options: CircuitBreakerOptions;
  readonly #logger: SluiceLogger;
  readonly #now: () => number;

  constructor(options: CircuitBreakerOptions, logger: SluiceLogger, now: () => number = Date.now) {
    this.#options = options;
    this.#logger = logger;
    this.#now = now;
  }

  /** Whether a record may start now; in half-open, only one probe at a time. */
  allow(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (this.#now() - this.#openedAt < this.#options.cooldownMs) return false;
      this.#transition('half-open');
    }
    if (this.#probing) return false;
    this.#probing = true;
    return true;
  }

  /** Records a success: closes a half-open breaker and resets the failure count. */
  success(): void {
    this.#failures = 0;
    if (this.state === 'half-open') {
      this.#probing = false;
      this.#transition('closed');
    }
  }

  /** Records a transient failure: opens after the threshold, or at once when half-open. */
  failure(): void {
    this.#failures++;
    if (this.state === 'half-open') {
      this.#probing = false;
      this.#open();
    } else if (this.state === 'closed' && this.#failures >= this.#options.failureThreshold) {
      this.#open();
    }
  }

  /** A probe that ended neither way (permanent error): lets the next probe through. */
  release(): void {
    if (this.state === 'half-open') this.#probing = false;
  }

  /** State changes counted since the last call. */
  takeChanges(): number {
    const n = this.#changes;
    this.#changes = 0;
    return n;
  }

  #open(): void {
    this.#openedAt = this.#now();
    this.#transition('open');
  }

  #transition(to: CircuitState): void {
    const from = this.state;
    this.state = to;
    this.#changes++;
    const fields = { from, to, consecutiveFailures: this.#failures, cooldownMs: this.#options.cooldownMs };
    if (to === 'open') this.#logger.warn('Circuit breaker opened', fields);
    else this.#logger.info(`Circuit breaker ${to}`, fields);
  }
}
