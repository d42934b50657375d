/**
 * `emfMetrics`: the `metrics` option as an import (README "The runtime"): one CloudWatch
 * Embedded Metric Format line per batch on stdout, whatever `logger` is. The engine only
 * calls the small {@link MetricsPolicy} interface, so a handler that does not import
 * `emfMetrics` carries none of this.
 */
import { writeLine } from './logger.ts';
import type { MetricTable } from './report.ts';
import type { BatchStats, MetricsOptions, MetricsPolicy, MetricsRuntime } from './types.ts';
import { validateOptions } from './validate-options.ts';

/** Every batch's metrics, as `[metric name, stats field]`: every unit is `Count` but `BatchDuration`'s. */
const METRICS: MetricTable = [
  ['Records', 'total'], ['Succeeded', 'succeeded'], ['Failed', 'failed'], ['Skipped', 'skipped'],
  ['Duplicates', 'duplicates'], ['BatchDuration', 'durationMs'], ['MaxInFlight', 'maxInFlight'],
];

/** The fields of `emfMetrics(...)`. */
const TABLE = {
  namespace: { type: 'string', required: true },
  dimensions: {
    test: (value: unknown): value is Record<string, string> =>
      typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string'),
    allowed: 'an object whose values are strings',
  },
} as const;

/**
 * The CloudWatch Embedded Metric Format line of one batch.
 *
 * @param extra - metrics the features add (`retryPolicy`'s, the `idempotency` guard's `IdempotentHits`)
 */
export function emfLine(options: MetricsOptions, stats: BatchStats, extra: MetricTable, timestamp: number): Record<string, unknown> {
  const dimensions = options.dimensions ?? {};
  const metrics = [...METRICS, ...extra];
  const line: Record<string, unknown> = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{
        Namespace: options.namespace,
        Dimensions: [Object.keys(dimensions)],
        Metrics: metrics.map(([Name]) => ({ Name, Unit: Name === 'BatchDuration' ? 'Milliseconds' : 'Count' })),
      }],
    },
    ...dimensions,
  };
  for (const [name, field] of metrics) line[name] = stats[field];
  return line;
}

/**
 * EMF metrics of every batch: `Records`, `Succeeded`, `Failed`, `Skipped`, `Duplicates`,
 * `BatchDuration` (ms) and `MaxInFlight`, plus what the features add (`DeadLettered`,
 * `Delayed`, `CircuitStateChanges` with `retryPolicy`; `IdempotentHits` with idempotency),
 * one line on stdout per batch.
 *
 * The options are checked when `sqsHandler`/`processBatch` is created, with the other
 * options (one `ConfigError`, names `metrics.…`).
 *
 * @param options - `namespace`, and `dimensions` (name → value)
 * @returns the value of the `metrics` option
 * @example
 * import { emfMetrics, sqsHandler } from 'sluice';
 *
 * export const handler = sqsHandler({
 *   metrics: emfMetrics({ namespace: 'Shop', dimensions: { service: 'orders' } }),
 *   async handle(order) { await ship(order); },
 * });
 */
export function emfMetrics(options: MetricsOptions): MetricsPolicy {
  return Object.freeze({
    kind: 'metrics',
    options,
    attach(problems: string[]): MetricsRuntime | undefined {
      const before = problems.length;
      const o = validateOptions(TABLE, options, problems, { name: 'metrics' }) as MetricsOptions;
      if (problems.length > before) return undefined;
      return Object.freeze({
        emit(stats: BatchStats, extra: MetricTable = [], timestamp = Date.now()): void {
          writeLine('out', JSON.stringify(emfLine(o, stats, extra, timestamp)));
        },
      });
    },
  });
}
