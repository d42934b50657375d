/**
 * Small helpers shared by the runtime tests: a capturing logger, deferred promises,
 * condition waits and output capture. No fixed sleeps: everything waits on a condition.
 */
import { vi } from 'vitest';
import type { MockInstance } from 'vitest';
import type { SluiceLogger, StandardSchemaV1 } from '../../lambda/runtime/index.ts';

/** One call the capturing logger received. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown> | undefined;
}

/** A logger that records every call. */
export function captureLogger(): { logger: SluiceLogger; lines: LogLine[]; at: (level: LogLine['level']) => LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']): LogLine[] => lines.filter((l) => l.level === level);
  const logger: SluiceLogger = {
    debug: (message, fields) => void lines.push({ level: 'debug', message, fields }),
    info: (message, fields) => void lines.push({ level: 'info', message, fields }),
    warn: (message, fields) => void lines.push({ level: 'warn', message, fields }),
    error: (message, fields) => void lines.push({ level: 'error', message, fields }),
  };
  return { logger, lines, at };
}

/**
 * Serializes anything a logger might print, the way a thorough structured logger
 * (Powertools) would: errors with message, stack and cause, nested objects, strings.
 */
export function serializeDeep(value: unknown): string {
  const seen = new WeakSet<object>();
  const walk = (v: unknown): unknown => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v !== 'object' || v === null) return v;
    if (seen.has(v)) return '[circular]';
    seen.add(v);
    if (v instanceof Error) {
      const own: Record<string, unknown> = {};
      for (const key of Object.getOwnPropertyNames(v)) own[key] = walk((v as unknown as Record<string, unknown>)[key]);
      return { name: v.name, message: v.message, stack: v.stack, cause: walk(v.cause), ...own };
    }
    if (Array.isArray(v)) return v.map(walk);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) out[key] = walk((v as Record<string, unknown>)[key]);
    return out;
  };
  return JSON.stringify(walk(value)) ?? String(value);
}

/** A promise with its resolve and reject exposed. */
export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
  settled: boolean;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const d = {} as Deferred<T>;
  d.settled = false;
  d.promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  d.resolve = (value) => {
    d.settled = true;
    resolve(value);
  };
  d.reject = (reason) => {
    d.settled = true;
    reject(reason);
  };
  return d;
}

/** One macrotask turn (real `setImmediate`, never faked in these tests). */
export function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Waits until `condition()` holds, checking once per macrotask turn, for at most `maxTurns` turns. */
export async function waitFor(condition: () => boolean, what: string, maxTurns = 10_000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (condition()) return;
    await tick();
  }
  throw new Error(`timed out waiting for: ${what}`);
}

/** Tracks whether a promise settled, without consuming its rejection. */
export function track<T>(promise: Promise<T>): { readonly settled: boolean; promise: Promise<T> } {
  const state = { settled: false, promise };
  promise.then(
    () => { state.settled = true; },
    () => { state.settled = true; },
  );
  return state;
}

/** Captures everything written to stdout and stderr (nothing reaches the terminal). */
export function captureOutput(): {
  stdout: () => string[];
  stderr: () => string[];
  all: () => string;
  restore: () => void;
  spies: MockInstance[];
} {
  const out: string[] = [];
  const err: string[] = [];
  const collect = (into: string[]) => (chunk: unknown): boolean => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const so = vi.spyOn(process.stdout, 'write').mockImplementation(collect(out) as typeof process.stdout.write);
  const se = vi.spyOn(process.stderr, 'write').mockImplementation(collect(err) as typeof process.stderr.write);
  const lines = (chunks: string[]): string[] => chunks.join('').split('\n').filter((l) => l.length > 0);
  return {
    stdout: () => lines(out),
    stderr: () => lines(err),
    all: () => out.join('') + err.join(''),
    restore: () => {
      so.mockRestore();
      se.mockRestore();
    },
    spies: [so, se],
  };
}

/** A tiny Standard Schema v1 object, written by hand (no library). */
export function handSchema<O>(
  check: (value: unknown) => { value: O } | { issues: { message: string; path?: (string | number | { key: string | number })[] }[] },
  options: { async?: boolean; vendor?: string } = {},
): StandardSchemaV1<unknown, O> {
  return {
    '~standard': {
      version: 1,
      vendor: options.vendor ?? 'sluice-test',
      validate: (value: unknown) => (options.async ? Promise.resolve().then(() => check(value)) : check(value)),
    },
  };
}

/** A hand-made schema for `{ id: string }` objects. */
export const IdSchema = handSchema<{ id: string }>((value) => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { issues: [{ message: 'expected an object' }] };
  const id = (value as { id?: unknown }).id;
  if (typeof id !== 'string') return { issues: [{ message: 'id: expected a string', path: ['id'] }] };
  return { value: { id } };
});
