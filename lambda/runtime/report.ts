/**
 * What a batch tells the outside: one summary log line and one warn line per record that
 * did not succeed (the EMF line is `emf-metrics.ts`'s). Ids, counts, codes and the
 * messages of errors Sluice made or `handle` threw — never a body, an attribute value, or
 * a fragment of either.
 */
import { ValidationError } from './errors.ts';
import { attemptOf } from './message-context.ts';
import type { ResolvedOptions } from './options.ts';
import type { BatchStats, SqsRecord } from './types.ts';

/** The engine's and Node's own error classes: their messages may quote a value (`JSON.parse`, `BigInt()`, Node's "Received …"). */
const NATIVE_ERRORS = [SyntaxError, TypeError, RangeError, ReferenceError, URIError, EvalError];
/** Longest `errorMessage` logged, in characters. */
const MAX_MESSAGE = 1024;
/** Most validation issues, and most `cause` links, logged per record. */
const MAX_ITEMS = 5;

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The fields that describe an error in a warn line: `errorName` and `errorCode`, and with
 * `detailed` also `errorMessage`, `issues` (path and code) and `causes` (name and code, or
 * the type of a non-`Error` value), as `LogFailures` describes. Never throws.
 */
export function errorFields(error: Error | undefined, detailed: boolean): Record<string, unknown> {
  const fields: Record<string, unknown> = { errorName: error?.name };
  const code = codeOf(error);
  if (code !== undefined) fields.errorCode = code;
  if (!detailed || error === undefined) return fields;
  try {
    if (!NATIVE_ERRORS.some((native) => error instanceof native)) fields.errorMessage = error.message.slice(0, MAX_MESSAGE);
    if (error instanceof ValidationError && error.issues.length > 0) {
      fields.issues = error.issues.slice(0, MAX_ITEMS).map((i) => (i.path.join('.') || '(root)') + (i.code ? `: ${i.code}` : ''));
    }
    const causes: Record<string, unknown>[] = [];
    for (let c: unknown = error.cause; c !== undefined && causes.length < MAX_ITEMS; c = (c as Error).cause) {
      if (!(c instanceof Error)) {
        causes.push({ type: c === null ? 'null' : typeof c });
        break;
      }
      causes.push({ name: c.name, code: codeOf(c) });
    }
    if (causes.length > 0) fields.causes = causes;
  } catch {
    // A hostile error (a message that is not a string, throwing getters) loses its details, never the line.
  }
  return fields;
}

/** Logs one record that did not succeed, at warn, as `opts.logFailures` says. */
export function logFailure(opts: ResolvedOptions, record: SqsRecord, status: string, error: Error | undefined): void {
  const mode = opts.logFailures;
  if (mode === false) return;
  const detailed = mode === 'detailed';
  opts.logger.warn(`Record ${status}`, {
    messageId: record.messageId,
    status,
    ...(detailed ? { attempt: attemptOf(record) } : {}),
    ...errorFields(error, detailed),
  });
}

/** Logs the batch summary at info. */
export function logSummary(opts: ResolvedOptions, stats: BatchStats): void {
  opts.logger.info('Batch processed', { ...stats });
}

/** Metrics a feature adds to the EMF line, as `[metric name, stats field]` (unit `Count`). */
export type MetricTable = readonly (readonly [string, keyof BatchStats])[];
