/**
 * Retries that help (README "Retries"), applied after a batch settled and before it is
 * reported: poison (`PermanentError`) goes straight to the DLQ and is then reported
 * succeeded; transient and unknown failures get a backoff through
 * `ChangeMessageVisibility`. A failed SQS call never loses a message: the record stays
 * reported failed, and the queue's own visibility timeout and redrive policy apply.
 */
import type { MessageAttributeValue, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { backoffSeconds } from './backoff.ts';
import { DEAD_LETTERED, DELAYED, FAILED, SKIPPED } from './batch-run.ts';
import { DLQ_ATTRIBUTES, SLUICE_ENV } from './contract.ts';
import { CircuitOpenError, DeadlineError, isPermanent, toError } from './errors.ts';
import { attemptOf, groupIdOf } from './message-context.ts';
import { chunk, entryResults, queueUrlOf, sqsClient, sqsEndpoint } from './sqs-calls.ts';
import type { EntryResult } from './sqs-calls.ts';
import type { RetryBatch, RetryOptions, SqsRecord } from './types.ts';

const MAX_ATTRIBUTES = 10;
const MAX_MESSAGE_BYTES = 1_048_576;
const MAX_BATCH_BYTES = 1_048_576;
const CALL_TIMEOUT_MS = 5000;
const CALLS_IN_FLIGHT = 8;

/** The DLQ URL `retry.deadLetter` resolves to, if any. */
export function deadLetterUrl(retry: RetryOptions): string | undefined {
  if (retry.deadLetter === 'auto') return process.env[SLUICE_ENV.DLQ_URL] || undefined;
  return retry.deadLetter || undefined;
}

function attributesFor(record: SqsRecord, error: Error, queueName: string): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  // SQS counts the body and every attribute's name, type and value against the 1 MiB limit.
  let size = Buffer.byteLength(record.body);
  for (const [name, a] of Object.entries(record.messageAttributes ?? {})) {
    if (a?.binaryValue !== undefined) out[name] = { DataType: a.dataType, BinaryValue: Buffer.from(a.binaryValue, 'base64') };
    else if (a?.stringValue !== undefined) out[name] = { DataType: a.dataType, StringValue: a.stringValue };
    else continue;
    size += Buffer.byteLength(name) + Buffer.byteLength(a.dataType) + (out[name]!.BinaryValue?.length ?? Buffer.byteLength(a.stringValue ?? ''));
  }
  const code = (error as { code?: unknown }).code;
  const ours: Record<string, string> = {
    [DLQ_ATTRIBUTES.errorCode]: typeof code === 'string' ? code : error.name,
    [DLQ_ATTRIBUTES.reason]: error.message.slice(0, 256) || error.name,
    [DLQ_ATTRIBUTES.sourceQueue]: queueName,
    [DLQ_ATTRIBUTES.attempt]: String(attemptOf(record)),
  };
  // SQS allows 10 attributes and 1 MiB: ours go in as far as they fit, most useful first,
  // so a message at the limit still reaches the DLQ (unannotated) rather than failing.
  for (const [name, value] of Object.entries(ours)) {
    const extra = Buffer.byteLength(name) + 6 + Buffer.byteLength(value);
    if (Object.keys(out).length >= MAX_ATTRIBUTES || size + extra > MAX_MESSAGE_BYTES) break;
    out[name] = { DataType: 'String', StringValue: value };
    size += extra;
  }
  return out;
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function callSignal(run: RetryBatch): AbortSignal {
  const left = run.msUntilDeadline();
  const ms = left === undefined ? CALL_TIMEOUT_MS : Math.max(50, Math.min(CALL_TIMEOUT_MS, left + run.opts.deadlineMarginMs / 2));
  return AbortSignal.timeout(ms);
}

async function sendToDlq(run: RetryBatch, indices: number[], dlqUrl: string, endpoint: string | undefined): Promise<Map<number, EntryResult>> {
  const results = new Map<number, EntryResult>();
  const fifo = dlqUrl.endsWith('.fifo');
  const region = run.records[indices[0]!]!.awsRegion || 'us-east-1';
  const client = await sqsClient(sqsEndpoint(endpoint, dlqUrl), region);
  const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
  const entries = indices.map((i): [number, SendMessageBatchRequestEntry] => {
    const record = run.records[i]!;
    const queueName = record.eventSourceARN?.split(':')[5] ?? 'unknown';
    const entry: SendMessageBatchRequestEntry = {
      Id: `r${i}`,
      MessageBody: record.body,
      MessageAttributes: attributesFor(record, run.errors[i]!, queueName),
    };
    if (fifo) {
      entry.MessageGroupId = groupIdOf(record) ?? record.messageId;
      entry.MessageDeduplicationId = record.messageId.slice(0, 128);
    }
    return [i, entry];
  });
  const size = ([, e]: [number, SendMessageBatchRequestEntry]): number => Buffer.byteLength(e.MessageBody ?? '') + 1024;
  await mapLimit(chunk(entries, 10, size, MAX_BATCH_BYTES), CALLS_IN_FLIGHT, async (part) => {
    const ids = part.map(([, e]) => e.Id!);
    try {
      const response = await client.send(new SendMessageBatchCommand({ QueueUrl: dlqUrl, Entries: part.map(([, e]) => e) }), { abortSignal: callSignal(run) });
      const byId = entryResults(ids, response);
      for (const [i, e] of part) results.set(i, byId.get(e.Id!)!);
    } catch (thrown) {
      const code = toError(thrown).name;
      for (const [i] of part) results.set(i, { ok: false, code });
    }
  });
  return results;
}

async function delay(run: RetryBatch, indices: number[], retry: RetryOptions): Promise<Map<number, EntryResult>> {
  const results = new Map<number, EntryResult>();
  const byQueue = new Map<string, number[]>();
  for (const i of indices) {
    const arn = run.records[i]!.eventSourceARN;
    const list = byQueue.get(arn);
    if (list) list.push(i);
    else byQueue.set(arn, [i]);
  }
  const { ChangeMessageVisibilityBatchCommand } = await import('@aws-sdk/client-sqs');
  for (const [arn, list] of byQueue) {
    const endpoint = sqsEndpoint(retry.endpoint);
    const queueUrl = typeof arn === 'string' ? queueUrlOf(arn, endpoint) : undefined;
    if (queueUrl === undefined) {
      for (const i of list) results.set(i, { ok: false, code: 'UnknownQueue' });
      continue;
    }
    const client = await sqsClient(sqsEndpoint(retry.endpoint, queueUrl), arn.split(':')[3] || 'us-east-1');
    await mapLimit(chunk(list, 10), CALLS_IN_FLIGHT, async (part) => {
      const entries = part.map((i) => {
        const error = run.errors[i] as { retryAfterSeconds?: number } | undefined;
        const seconds = backoffSeconds(attemptOf(run.records[i]!), retry.backoff!, error?.retryAfterSeconds);
        run.visibility[i] = seconds;
        return { Id: `r${i}`, ReceiptHandle: run.records[i]!.receiptHandle, VisibilityTimeout: seconds };
      });
      try {
        const response = await client.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries }), { abortSignal: callSignal(run) });
        const byId = entryResults(entries.map((e) => e.Id), response);
        for (const i of part) results.set(i, byId.get(`r${i}`)!);
      } catch (thrown) {
        const code = toError(thrown).name;
        for (const i of part) results.set(i, { ok: false, code });
      }
    });
  }
  return results;
}

/**
 * Dead-letters poison records and delays transient failures of a settled batch,
 * recording each record's disposition on the run.
 */
export async function applyRetry(run: RetryBatch, retry: RetryOptions): Promise<void> {
  const dlqUrl = deadLetterUrl(retry);
  const poison: number[] = [];
  const transient: number[] = [];
  for (let i = 0; i < run.n; i++) {
    const s = run.status[i];
    const error = run.errors[i];
    if (s === FAILED) {
      if (isPermanent(error)) {
        if (dlqUrl !== undefined) poison.push(i);
      } else if (retry.backoff !== undefined && !(error instanceof DeadlineError)) transient.push(i);
    } else if (s === SKIPPED && error instanceof CircuitOpenError && retry.backoff !== undefined) {
      transient.push(i);
    }
  }
  if (poison.length === 0 && transient.length === 0) return;
  // A step that throws before any call (SDK not loadable, bad endpoint) fails only its own
  // records, as a failed call does; it must never fail the batch.
  const failAll = (indices: number[]) => (thrown: unknown): Map<number, EntryResult> =>
    new Map(indices.map((i) => [i, { ok: false, code: toError(thrown).name }]));
  const [sent, delayed] = await Promise.all([
    poison.length > 0 ? sendToDlq(run, poison, dlqUrl!, retry.endpoint).catch(failAll(poison)) : new Map<number, EntryResult>(),
    transient.length > 0 ? delay(run, transient, retry).catch(failAll(transient)) : new Map<number, EntryResult>(),
  ]);
  for (const [i, r] of sent) {
    if (r.ok) run.disposition[i] = DEAD_LETTERED;
    else run.opts.logger.warn('Dead-letter send failed; record left for redelivery', { messageId: run.records[i]!.messageId, errorCode: r.code });
  }
  for (const [i, r] of delayed) {
    if (r.ok) run.disposition[i] = DELAYED;
    else run.opts.logger.warn('Visibility change failed; record retries after the queue visibility timeout', { messageId: run.records[i]!.messageId, errorCode: r.code });
  }
}
