/**
 * What a batch tells the outside: one summary log line, one warn line per record that
 * did not succeed, and one EMF metrics line. Ids, counts and codes only — never a body
 * or an attribute value.
 */
import { writeLine } from './logger.ts';
import type { ResolvedOptions } from './options.ts';
import type { BatchStats } from './types.ts';

/** Logs one record that did not succeed, at warn: its id, status, error name and code. */
export function logFailure(opts: ResolvedOptions, messageId: string, status: string, error: Error | undefined): void {
  const code = (error as { code?: unknown } | undefined)?.code;
  opts.logger.warn(`Record ${status}`, {
    messageId,
    status,
    errorName: error?.name,
    ...(typeof code === 'string' ? { errorCode: code } : {}),
  });
}

/** Logs the batch summary at info. */
export function logSummary(opts: ResolvedOptions, stats: BatchStats): void {
  opts.logger.info('Batch processed', { ...stats });
}

const RETRY_METRICS = [
  { Name: 'DeadLettered', Unit: 'Count' },
  { Name: 'Delayed', Unit: 'Count' },
  { Name: 'CircuitStateChanges', Unit: 'Count' },
] as const;

/** Writes one CloudWatch Embedded Metric Format line for the batch to stdout. */
export function emitMetrics(opts: ResolvedOptions, stats: BatchStats, timestamp = Date.now()): void {
  const m = opts.metrics;
  if (m === undefined) return;
  const dimensions = m.dimensions ?? {};
  const line = {
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: m.namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: [
            { Name: 'Records', Unit: 'Count' },
            { Name: 'Succeeded', Unit: 'Count' },
            { Name: 'Failed', Unit: 'Count' },
            { Name: 'Skipped', Unit: 'Count' },
            { Name: 'Duplicates', Unit: 'Count' },
            { Name: 'BatchDuration', Unit: 'Milliseconds' },
            { Name: 'MaxInFlight', Unit: 'Count' },
            ...(opts.retry === undefined ? [] : RETRY_METRICS),
          ],
        },
      ],
    },
    ...dimensions,
    Records: stats.total,
    Succeeded: stats.succeeded,
    Failed: stats.failed,
    Skipped: stats.skipped,
    Duplicates: stats.duplicates,
    BatchDuration: stats.durationMs,
    MaxInFlight: stats.maxInFlight,
    ...(opts.retry === undefined ? {} : {
      DeadLettered: stats.deadLettered,
      Delayed: stats.delayed,
      CircuitStateChanges: stats.circuitChanges,
    }),
  };
  writeLine('out', JSON.stringify(line));
}
