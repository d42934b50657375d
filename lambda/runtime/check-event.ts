/**
 * Checks an event before any record starts (README "The runtime"): a record that
 * could not be reported makes the whole invocation reject with `InvalidEventError`.
 */
import { InvalidEventError } from './errors.ts';
import type { SqsRecord } from './types.ts';
import { formatValue } from './validate-options.ts';

/**
 * Asserts that `records` is an array of reportable SQS records.
 *
 * @throws {InvalidEventError} naming the first offending record by index
 */
export function checkRecords(records: unknown): asserts records is SqsRecord[] {
  if (!Array.isArray(records)) {
    throw new InvalidEventError(`Records: received ${formatValue(records)}; expected an array of SQS records`);
  }
  for (let i = 0; i < records.length; i++) {
    const r: unknown = records[i];
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw new InvalidEventError(`Records[${i}]: received ${formatValue(r)}; expected an SQS record object`);
    }
    const { messageId, eventSource } = r as { messageId?: unknown; eventSource?: unknown };
    if (typeof messageId !== 'string' || messageId.length === 0) {
      throw new InvalidEventError(`Records[${i}].messageId: received ${formatValue(messageId)}; expected a non-empty string`);
    }
    if (eventSource !== 'aws:sqs') {
      throw new InvalidEventError(
        `Records[${i}] (messageId ${messageId}).eventSource: received ${formatValue(eventSource)}; expected "aws:sqs"`,
      );
    }
  }
}

/**
 * Extracts `Records` from a Lambda event.
 *
 * @throws {InvalidEventError} when the event is not an object with a `Records` array
 */
export function recordsOf(event: unknown): SqsRecord[] {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidEventError(`event: received ${formatValue(event)}; expected an SQS event ({ Records: [...] })`);
  }
  const records = (event as { Records?: unknown }).Records;
  checkRecords(records);
  return records;
}
