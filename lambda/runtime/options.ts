/**
 * Defaults and validation of the runtime options. Options are validated once, when
 * `sqsHandler` or `processBatch` is called, and resolved into a frozen object.
 */
import { SLUICE_DEFAULTS } from './contract.ts';
import { ConfigError } from './errors.ts';
import { createJsonLogger, noopLogger } from './logger.ts';
import type {
  BatchOptions, BodyMode, EnvelopeMode, LogFailures, MetricsOptions, OnFailure, RetryOptions, SluiceLogger, SqsRecord, StandardSchemaV1,
} from './types.ts';

/** Options after validation, with every default applied. */
export interface ResolvedOptions {
  readonly concurrency: number;
  readonly schema: StandardSchemaV1 | undefined;
  readonly envelope: EnvelopeMode;
  readonly body: BodyMode;
  readonly fifo: 'auto' | boolean;
  readonly onGroupFailure: 'skip-group' | 'stop-batch';
  readonly deadlineMarginMs: number;
  readonly dedupe: boolean | ((message: never, record: SqsRecord) => string);
  readonly logger: SluiceLogger;
  readonly metrics: MetricsOptions | undefined;
  readonly retry: RetryOptions | undefined;
  readonly logFailures: LogFailures;
  readonly onFailure: OnFailure | undefined;
}

const KNOWN = new Set([
  'handle', 'concurrency', 'schema', 'envelope', 'body', 'fifo', 'onGroupFailure',
  'deadlineMarginMs', 'dedupe', 'logger', 'metrics', 'retry', 'logFailures', 'onFailure',
]);
const LOG_METHODS = ['debug', 'info', 'warn', 'error'] as const;

/** Describes a received value for an error message without quoting long or secret content. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function isInt(value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function oneOf<T>(problems: string[], name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (allowed.includes(value as T)) return value as T;
  problems.push(`${name}: received ${describe(value)}; allowed: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  return fallback;
}

function resolveLogger(problems: string[], value: unknown): SluiceLogger {
  if (value === undefined) return createJsonLogger();
  if (value === false) return noopLogger;
  const candidate = value as Partial<Record<(typeof LOG_METHODS)[number], unknown>> | null;
  if (typeof candidate === 'object' && candidate !== null && LOG_METHODS.every((m) => typeof candidate[m] === 'function')) {
    return candidate as SluiceLogger;
  }
  problems.push(`logger: received ${describe(value)}; allowed: false, or an object with debug, info, warn and error methods`);
  return noopLogger;
}

function resolveMetrics(problems: string[], value: unknown): MetricsOptions | undefined {
  if (value === undefined) return undefined;
  const m = value as Partial<MetricsOptions> | null;
  if (typeof m !== 'object' || m === null || typeof m.namespace !== 'string' || m.namespace.length === 0) {
    problems.push(`metrics: received ${describe(value)}; allowed: { namespace: non-empty string, dimensions?: Record<string, string> }`);
    return undefined;
  }
  const dims = m.dimensions;
  if (dims !== undefined && (typeof dims !== 'object' || dims === null || Object.values(dims).some((v) => typeof v !== 'string'))) {
    problems.push(`metrics.dimensions: received ${describe(dims)}; allowed: an object whose values are strings`);
    return undefined;
  }
  const extra = Object.keys(m).filter((k) => k !== 'namespace' && k !== 'dimensions');
  if (extra.length > 0) problems.push(`metrics: unknown key ${extra.map((k) => JSON.stringify(k)).join(', ')}; allowed: namespace, dimensions`);
  return Object.freeze({ namespace: m.namespace, dimensions: Object.freeze({ ...dims }) });
}

/**
 * Validates options and applies defaults.
 *
 * @param options - the options given to `sqsHandler` or `processBatch`
 * @param retryValidator - validates `retry` (kept in `retry.ts` so the engine stays small)
 * @returns the resolved, frozen options
 * @throws {ConfigError} listing every problem: the option, the value and what is allowed
 */
export function resolveOptions(
  options: unknown,
  retryValidator: (problems: string[], value: unknown) => RetryOptions | undefined,
): ResolvedOptions {
  const problems: string[] = [];
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new ConfigError([`options: received ${describe(options)}; allowed: an object`]);
  }
  const o = (options ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN.has(key)) problems.push(`${key}: unknown option; allowed: ${[...KNOWN].join(', ')}`);
  }

  let concurrency: number = SLUICE_DEFAULTS.concurrency;
  if (o.concurrency !== undefined) {
    if (isInt(o.concurrency, 1, 1000)) concurrency = o.concurrency;
    else problems.push(`concurrency: received ${describe(o.concurrency)}; allowed: an integer from 1 to 1000`);
  }
  let deadlineMarginMs: number = SLUICE_DEFAULTS.deadlineMarginMs;
  if (o.deadlineMarginMs !== undefined) {
    if (isInt(o.deadlineMarginMs, 0)) deadlineMarginMs = o.deadlineMarginMs;
    else problems.push(`deadlineMarginMs: received ${describe(o.deadlineMarginMs)}; allowed: an integer ≥ 0 (milliseconds)`);
  }
  const schema = o.schema as StandardSchemaV1 | undefined;
  if (schema !== undefined) {
    const std = (schema as { '~standard'?: { validate?: unknown } } | null)?.['~standard'];
    if (typeof std !== 'object' || std === null || typeof std.validate !== 'function') {
      problems.push(`schema: received ${describe(schema)}; allowed: a Standard Schema (an object with "~standard".validate), e.g. a zod or valibot schema`);
    }
  }
  let dedupe: ResolvedOptions['dedupe'] = true;
  if (o.dedupe !== undefined) {
    if (typeof o.dedupe === 'boolean' || typeof o.dedupe === 'function') dedupe = o.dedupe as ResolvedOptions['dedupe'];
    else problems.push(`dedupe: received ${describe(o.dedupe)}; allowed: true, false, or (message, record) => string`);
  }
  const onFailure = o.onFailure as OnFailure | undefined;
  if (onFailure !== undefined && typeof onFailure !== 'function') {
    problems.push(`onFailure: received ${describe(onFailure)}; allowed: a function (outcome, ctx)`);
  }

  const resolved: ResolvedOptions = {
    concurrency,
    schema,
    envelope: oneOf(problems, 'envelope', o.envelope, ['auto', 'sns', 'none'] as const, 'auto'),
    body: oneOf(problems, 'body', o.body, ['json', 'text'] as const, 'json'),
    fifo: oneOf(problems, 'fifo', o.fifo, ['auto', true, false] as const, 'auto'),
    onGroupFailure: oneOf(problems, 'onGroupFailure', o.onGroupFailure, ['skip-group', 'stop-batch'] as const, 'skip-group'),
    deadlineMarginMs,
    dedupe,
    logger: resolveLogger(problems, o.logger),
    metrics: resolveMetrics(problems, o.metrics),
    retry: retryValidator(problems, o.retry),
    logFailures: oneOf(problems, 'logFailures', o.logFailures, ['detailed', 'codes', false] as const, 'detailed'),
    onFailure,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(resolved);
}
