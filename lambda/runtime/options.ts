/**
 * Defaults and validation of the runtime options. Options are validated once, when
 * `sqsHandler` or `processBatch` is called, against the table {@link RUNTIME_OPTIONS}, and
 * resolved into a frozen object.
 */
import { DEFAULT_CONCURRENCY, DEFAULT_DEADLINE_MARGIN_MS } from './contract.ts';
import { ConfigError } from './errors.ts';
import { createJsonLogger, noopLogger } from './logger.ts';
import type {
  BodyMode, EnvelopeMode, FailureNotifier, FailureRuntime, IdempotencyGuard, IdempotencyOptions, LogFailures, MetricsPolicy, MetricsRuntime, RetryPolicy, RetryRuntime, SluiceLogger, SqsRecord,
  StandardSchemaV1,
} from './types.ts';
import { problem, validateOptions } from './validate-options.ts';
import type { OptionRule, OptionTable } from './validate-options.ts';

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
  /** What `emfMetrics(...)` attached to this handler, when `metrics` is given. */
  readonly metrics: MetricsRuntime | undefined;
  /** What `retryPolicy(...)` attached to this handler, when `retry` is given. */
  readonly retry: RetryRuntime | undefined;
  readonly logFailures: LogFailures;
  /** What `notifyFailures(...)` attached to this handler, when `onFailure` is given. */
  readonly onFailure: FailureRuntime | undefined;
  /** The per-batch wrapper of `handle` that `idempotency.store` made, when configured. */
  readonly idempotency: IdempotencyGuard | undefined;
}

/** The features given as imports: what is allowed names the import (a plain value, the old form, is pointed at it). */
const imported = (factory: string, plain: string): string => `${factory}, imported from 'sluice' (not a plain ${plain})`;

/** What is allowed for `handle`, in problems. */
export const HANDLE_ALLOWED = 'a function (message, ctx) => Promise<unknown>';

const isLogger = (value: unknown): value is SluiceLogger =>
  (['debug', 'info', 'warn', 'error'] as const).every((m) => typeof (value as Partial<SluiceLogger> | null)?.[m] === 'function');

/** The rule of a `logger` option (the runtime's and the worker's): `false`, or an object with the four methods. */
export const LOGGER_OPTION = { test: isLogger, values: [false], allowed: 'false, or an object with debug, info, warn and error methods' } as const satisfies OptionRule;

/** The runtime options (README "The runtime"), in the order problems are reported. */
const RUNTIME_OPTIONS = {
  handle: { type: 'function', allowed: HANDLE_ALLOWED },
  concurrency: { type: 'integer', min: 1, max: 1000, default: DEFAULT_CONCURRENCY },
  schema: {
    test: (value: unknown): value is StandardSchemaV1 => typeof (value as Partial<StandardSchemaV1> | null)?.['~standard']?.validate === 'function',
    allowed: 'a Standard Schema (zod, valibot, ArkType: an object with "~standard".validate)',
  },
  envelope: { values: ['auto', 'sns', 'none'], default: 'auto' },
  body: { values: ['json', 'text'], default: 'json' },
  fifo: { values: ['auto', true, false], default: 'auto' },
  onGroupFailure: { values: ['skip-group', 'stop-batch'], default: 'skip-group' },
  deadlineMarginMs: { type: 'integer', min: 0, default: DEFAULT_DEADLINE_MARGIN_MS },
  dedupe: { type: 'function', values: [true, false], default: true, allowed: 'true, false, or (message, record) => string' },
  logger: LOGGER_OPTION,
  metrics: {
    test: (value: unknown): value is MetricsPolicy => (value as Partial<MetricsPolicy> | null)?.kind === 'metrics',
    allowed: imported('emfMetrics({ namespace, dimensions? })', 'object'),
  },
  // The policy checks its own fields: its code is reached only through `retryPolicy`, so only handlers using it carry it.
  retry: {
    test: (value: unknown): value is RetryPolicy => (value as Partial<RetryPolicy> | null)?.kind === 'retry',
    allowed: imported('retryPolicy({ backoff?, deadLetter?, circuitBreaker?, endpoint? })', 'object'),
  },
  logFailures: { values: ['detailed', 'codes', false], default: 'detailed' },
  onFailure: {
    test: (value: unknown): value is FailureNotifier => (value as Partial<FailureNotifier> | null)?.kind === 'onFailure',
    allowed: imported('notifyFailures(a function (outcome, ctx))', 'function'),
  },
  // The store's guard checks the other fields: its code is in sluice/idempotency, so only handlers using it carry it.
  idempotency: {
    test: (value: unknown): value is IdempotencyOptions<never> => typeof (value as Partial<IdempotencyOptions> | null)?.store?.guard === 'function',
    allowed: '{ store: a store of sluice/idempotency, ... }',
  },
} as const satisfies OptionTable;

/**
 * Validates options and applies defaults.
 *
 * @param options - the options given to `sqsHandler` or `processBatch`
 * @returns the resolved, frozen options
 * @throws {ConfigError} listing every problem: the option, the value and what is allowed
 */
export function resolveOptions(options: unknown): ResolvedOptions {
  const problems: string[] = [];
  const o = validateOptions(RUNTIME_OPTIONS, options, problems);
  const logger = o.logger === false ? noopLogger : (o.logger ?? createJsonLogger());
  const resolved: ResolvedOptions = {
    ...o,
    dedupe: o.dedupe as ResolvedOptions['dedupe'],
    logger,
    retry: o.retry?.attach(logger, problems),
    // Nothing to build a warn line for when nothing is written.
    logFailures: logger === noopLogger ? false : o.logFailures,
    metrics: o.metrics?.attach(problems),
    onFailure: o.onFailure?.attach(problems),
    idempotency: o.idempotency?.store.guard(o.idempotency, problems),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(resolved);
}
