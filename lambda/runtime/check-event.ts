/**
 * Checks an event before any record starts (README "The runtime"): a record that
 * could not be reported makes the whole invocation reject with `InvalidEventError`.
 */
import { InvalidEventError } from './errors.ts';
import type { SqsRecord } from './types.ts';
import { formatValue, isObject } from './validate-options.ts';

/** The one phrasing of an unreportable event: `<where>: received <value>; expected <what>`. */
function invalid(where: string, value: unknown, expected: string): InvalidEventError {
  return new InvalidEventError(`${where}: received ${formatValue(value)}; expected ${expected}`);
}

/**
 * Asserts that `records` is an array. Each record is checked by {@link checkRecord}, in
 * the engine's one pass over the batch, before any record starts.
 *
 * @throws {InvalidEventError} when it is not
 */
export function checkArray(records: unknown): asserts records is unknown[] {
  if (!Array.isArray(records)) throw invalid('Records', records, 'an array of SQS records');
}

/**
 * Asserts that record `i` of a batch can be reported.
 *
 * @throws {InvalidEventError} naming the record by index
 */
export function checkRecord(r: unknown, i: number): asserts r is SqsRecord {
  if (!isObject(r)) throw invalid(`Records[${i}]`, r, 'an SQS record object');
  const { messageId, eventSource } = r as { messageId?: unknown; eventSource?: unknown };
  if (typeof messageId !== 'string' || messageId.length === 0) throw invalid(`Records[${i}].messageId`, messageId, 'a non-empty string');
  if (eventSource !== 'aws:sqs') throw invalid(`Records[${i}] (messageId ${messageId}).eventSource`, eventSource, '"aws:sqs"');
}

/**
 * Extracts `Records` from a Lambda event (its records are checked as the batch starts).
 *
 * @throws {InvalidEventError} when the event is not an object with a `Records` array
 */
export function recordsOf(event: unknown): SqsRecord[] {
  if (!isObject(event)) throw invalid('event', event, 'an SQS event ({ Records: [...] })');
  const records = (event as { Records?: unknown }).Records;
  checkArray(records);
  return records as SqsRecord[];
}
