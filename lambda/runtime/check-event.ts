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
 * Asserts that `records` is an array of reportable SQS records.
 *
 * @throws {InvalidEventError} naming the first offending record by index
 */
export function checkRecords(records: unknown): asserts records is SqsRecord[] {
  if (!Array.isArray(records)) throw invalid('Records', records, 'an array of SQS records');
  for (let i = 0; i < records.length; i++) {
    const r: unknown = records[i];
    if (!isObject(r)) throw invalid(`Records[${i}]`, r, 'an SQS record object');
    const { messageId, eventSource } = r as { messageId?: unknown; eventSource?: unknown };
    if (typeof messageId !== 'string' || messageId.length === 0) throw invalid(`Records[${i}].messageId`, messageId, 'a non-empty string');
    if (eventSource !== 'aws:sqs') throw invalid(`Records[${i}] (messageId ${messageId}).eventSource`, eventSource, '"aws:sqs"');
  }
}

/**
 * Extracts `Records` from a Lambda event.
 *
 * @throws {InvalidEventError} when the event is not an object with a `Records` array
 */
export function recordsOf(event: unknown): SqsRecord[] {
  if (!isObject(event)) throw invalid('event', event, 'an SQS event ({ Records: [...] })');
  const records = (event as { Records?: unknown }).Records;
  checkRecords(records);
  return records;
}
