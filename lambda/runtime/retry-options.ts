/**
 * Validation of the `retry` option (DESIGN §4). Every retry feature is off unless configured.
 */
import { MAX_VISIBILITY_TIMEOUT_SECONDS } from './contract.ts';
import { describe } from './options.ts';
import type { BackoffOptions, CircuitBreakerOptions, RetryOptions } from './types.ts';

const RETRY_KEYS = ['backoff', 'deadLetter', 'circuitBreaker', 'endpoint'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function unknownKeys(problems: string[], name: string, value: Record<string, unknown>, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) problems.push(`${name}.${key}: unknown option; allowed: ${allowed.join(', ')}`);
  }
}

function number(problems: string[], name: string, value: unknown, min: number, max: number, integer: boolean): number | undefined {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value));
  if (ok) return value;
  problems.push(`${name}: received ${describe(value)}; allowed: ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
  return undefined;
}

function validateBackoff(problems: string[], value: unknown): BackoffOptions | undefined {
  if (!isObject(value)) {
    problems.push(`retry.backoff: received ${describe(value)}; allowed: { baseSeconds, maxSeconds, jitter? }`);
    return undefined;
  }
  unknownKeys(problems, 'retry.backoff', value, ['baseSeconds', 'maxSeconds', 'jitter']);
  const cap = MAX_VISIBILITY_TIMEOUT_SECONDS;
  const baseSeconds = number(problems, 'retry.backoff.baseSeconds', value.baseSeconds, 0, cap, false);
  const maxSeconds = number(problems, 'retry.backoff.maxSeconds', value.maxSeconds, 0, cap, false);
  if (baseSeconds !== undefined && maxSeconds !== undefined && maxSeconds < baseSeconds) {
    problems.push(`retry.backoff.maxSeconds: received ${maxSeconds}; allowed: at least baseSeconds (${baseSeconds})`);
  }
  const jitter = value.jitter ?? 'full';
  if (jitter !== 'full' && jitter !== 'none') problems.push(`retry.backoff.jitter: received ${describe(jitter)}; allowed: "full", "none"`);
  if (baseSeconds === undefined || maxSeconds === undefined) return undefined;
  return Object.freeze({ baseSeconds, maxSeconds, jitter: jitter as 'full' | 'none' });
}

function validateBreaker(problems: string[], value: unknown): CircuitBreakerOptions | undefined {
  if (!isObject(value)) {
    problems.push(`retry.circuitBreaker: received ${describe(value)}; allowed: { failureThreshold, cooldownMs }`);
    return undefined;
  }
  unknownKeys(problems, 'retry.circuitBreaker', value, ['failureThreshold', 'cooldownMs']);
  const failureThreshold = number(problems, 'retry.circuitBreaker.failureThreshold', value.failureThreshold, 1, 1_000_000, true);
  const cooldownMs = number(problems, 'retry.circuitBreaker.cooldownMs', value.cooldownMs, 0, 3_600_000, true);
  if (failureThreshold === undefined || cooldownMs === undefined) return undefined;
  return Object.freeze({ failureThreshold, cooldownMs });
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Validates `retry`; pushes one problem per bad field. */
export function validateRetry(problems: string[], value: unknown): RetryOptions | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.push(`retry: received ${describe(value)}; allowed: { backoff?, deadLetter?, circuitBreaker?, endpoint? }`);
    return undefined;
  }
  unknownKeys(problems, 'retry', value, RETRY_KEYS);
  const retry: RetryOptions = {};
  if (value.backoff !== undefined) {
    const backoff = validateBackoff(problems, value.backoff);
    if (backoff) retry.backoff = backoff;
  }
  if (value.circuitBreaker !== undefined) {
    const breaker = validateBreaker(problems, value.circuitBreaker);
    if (breaker) retry.circuitBreaker = breaker;
  }
  const dl = value.deadLetter;
  if (dl !== undefined) {
    if (dl === 'auto' || dl === false || (typeof dl === 'string' && isHttpUrl(dl))) retry.deadLetter = dl;
    else problems.push(`retry.deadLetter: received ${describe(dl)}; allowed: "auto", false, or a queue URL`);
  }
  if (value.endpoint !== undefined) {
    if (typeof value.endpoint === 'string' && isHttpUrl(value.endpoint)) retry.endpoint = value.endpoint;
    else problems.push(`retry.endpoint: received ${describe(value.endpoint)}; allowed: an http(s) URL`);
  }
  return Object.freeze(retry);
}
