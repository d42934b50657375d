import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../../lambda/runtime/circuit-breaker.ts';
import { CircuitOpenError, processBatch, retryPolicy, TransientError, ValidationError } from '../../lambda/runtime/index.ts';
import type { SluiceLogger } from '../../lambda/runtime/index.ts';
import { sqsEvent } from '../../lambda/runtime/testing.ts';

function recordingLogger(): SluiceLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (m: string): void => { lines.push(m); };
  return { lines, debug: log, info: log, warn: log, error: log };
}

describe('CircuitBreaker', () => {
  it('opens after the threshold of consecutive failures, rejects, half-opens after the cool-down and closes on success', () => {
    let t = 0;
    const logger = recordingLogger();
    const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000 }, logger, () => t);
    breaker.failure();
    breaker.failure();
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
    t = 999;
    expect(breaker.allow()).toBe(false);
    t = 1000;
    expect(breaker.allow()).toBe(true); // the probe
    expect(breaker.state).toBe('half-open');
    expect(breaker.allow()).toBe(false); // one probe at a time
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.allow()).toBe(true);
    expect(breaker.takeChanges()).toBe(3);
    expect(logger.lines).toEqual(['Circuit breaker opened', 'Circuit breaker half-open', 'Circuit breaker closed']);
  });

  it('reopens when the half-open probe fails', () => {
    let t = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 10 }, recordingLogger(), () => t);
    breaker.failure();
    t = 10;
    expect(breaker.allow()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.allow()).toBe(false);
  });

  it('resets the consecutive count on a success', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 10 }, recordingLogger(), () => 0);
    breaker.failure();
    breaker.success();
    breaker.failure();
    expect(breaker.state).toBe('closed');
  });
});

describe('circuit breaker in processBatch', () => {
  it('skips records with CircuitOpenError once transient failures open it, and keeps its state across batches', async () => {
    const options = {
      concurrency: 1,
      logger: false as const,
      retry: retryPolicy({ circuitBreaker: { failureThreshold: 2, cooldownMs: 60_000 } }),
    };
    let calls = 0;
    const failing = async (): Promise<void> => {
      calls++;
      throw new TransientError('downstream unavailable');
    };
    const first = await processBatch(sqsEvent([{}, {}, {}, {}]).Records, failing, options);
    expect(first.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'skipped', 'skipped']);
    expect(first.outcomes[2]!.error).toBeInstanceOf(CircuitOpenError);
    expect(first.batchItemFailures).toHaveLength(4);
    expect(first.stats.circuitChanges).toBe(1);
    expect(calls).toBe(2);
    const second = await processBatch(sqsEvent([{}, {}]).Records, failing, options);
    expect(second.outcomes.map((o) => o.status)).toEqual(['skipped', 'skipped']);
    expect(calls).toBe(2);
  });

  it('is not tripped by permanent (poison) failures', async () => {
    const options = { concurrency: 1, logger: false as const, retry: retryPolicy({ circuitBreaker: { failureThreshold: 1, cooldownMs: 60_000 } }) };
    const result = await processBatch(sqsEvent([{}, {}, {}]).Records, async () => {
      throw new ValidationError('bad');
    }, options);
    expect(result.outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'failed']);
    expect(result.stats.circuitChanges).toBe(0);
  });
});
