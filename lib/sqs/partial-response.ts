/**
 * The partial batch response rules of Lambda's SQS event source (README "Partial batch
 * responses"): which messages of an invoked batch are deleted and which are left for
 * their visibility timeout. The one reader of a handler's response: the event source
 * mapping emulator and the worker both call {@link serializeResponse} on what the
 * handler returned, then {@link interpretResponse}.
 */

/** How an invocation ended, as the invoker reports it. */
export type InvocationOutcome =
  | { readonly status: 'returned'; /** The JSON serialization of the returned value; undefined for `undefined`. */ readonly payload: string | undefined }
  | { readonly status: 'error' | 'timeout' | 'crashed'; readonly errorName: string; readonly errorMessage: string };

/** What to do with the batch. */
export type BatchVerdict =
  | { readonly kind: 'all-succeeded' }
  | { readonly kind: 'partial'; /** Distinct ids to retry, in response order; every other record is deleted. */ readonly failedIds: readonly string[] }
  | { readonly kind: 'batch-failed'; /** Why the whole batch is retried. */ readonly reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies the partial batch response rules to an invocation outcome.
 *
 * - A thrown error, a timeout or a crashed environment → the whole batch failed.
 * - Without `ReportBatchItemFailures`, any return → all succeeded.
 * - With it: `undefined`/`null`, an object without `batchItemFailures`, a `null` or empty
 *   `batchItemFailures` → all succeeded; listed ids → those retried, the rest deleted; a
 *   response that is not JSON or not an object, a `batchItemFailures` that is not an
 *   array, or an entry whose `itemIdentifier` is missing, empty, null, not a string or not
 *   a `messageId` of the batch → the whole batch failed.
 *
 * @param outcome - how the invocation ended.
 * @param batchIds - the `messageId`s of the records in the batch.
 * @param reportBatchItemFailures - whether the mapping has `FunctionResponseTypes: ['ReportBatchItemFailures']`.
 */
export function interpretResponse(outcome: InvocationOutcome, batchIds: readonly string[], reportBatchItemFailures: boolean): BatchVerdict {
  if (outcome.status !== 'returned') {
    return { kind: 'batch-failed', reason: `${outcome.status}: ${outcome.errorName}: ${outcome.errorMessage}` };
  }
  if (!reportBatchItemFailures || outcome.payload === undefined) return { kind: 'all-succeeded' };
  let response: unknown;
  try {
    response = JSON.parse(outcome.payload);
  } catch {
    return { kind: 'batch-failed', reason: 'unparsable response' };
  }
  if (response === null) return { kind: 'all-succeeded' };
  if (!isObject(response)) return { kind: 'batch-failed', reason: `response is ${Array.isArray(response) ? 'an array' : `a ${typeof response}`}, not an object` };
  const failures = response.batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'all-succeeded' };
  if (!Array.isArray(failures)) return { kind: 'batch-failed', reason: 'batchItemFailures is not an array' };
  const ids = new Set(batchIds);
  const failed = new Set<string>();
  for (const [index, entry] of failures.entries()) {
    const id: unknown = isObject(entry) ? entry.itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') {
      return { kind: 'batch-failed', reason: `batchItemFailures[${index}].itemIdentifier is ${id === '' ? 'empty' : id === null ? 'null' : 'missing or not a string'}` };
    }
    if (!ids.has(id)) return { kind: 'batch-failed', reason: `batchItemFailures[${index}].itemIdentifier is not a messageId of the batch` };
    failed.add(id);
  }
  return failed.size === 0 ? { kind: 'all-succeeded' } : { kind: 'partial', failedIds: [...failed] };
}

/**
 * Turns what a handler resolved to into the outcome Lambda sees: the JSON serialization
 * of the value, as the Node.js runtime sends it. A value that has no JSON form at the top
 * level (a function or a symbol), or that cannot be serialized (a cycle, a BigInt),
 * fails the invocation, so nothing is deleted that may not have succeeded.
 */
export function serializeResponse(value: unknown): InvocationOutcome {
  if (value === undefined) return { status: 'returned', payload: undefined };
  if (typeof value === 'function' || typeof value === 'symbol') {
    return { status: 'error', errorName: 'Runtime.InvalidResponse', errorMessage: `response is a ${typeof value}, not an object` };
  }
  try {
    return { status: 'returned', payload: JSON.stringify(value) };
  } catch (thrown) {
    const name = thrown instanceof Error ? thrown.name : 'Error';
    return { status: 'error', errorName: 'Runtime.InvalidResponse', errorMessage: `response cannot be serialized to JSON (${name})` };
  }
}
