/**
 * The runtime's own SQS calls (visibility changes and DLQ sends), batched by 10. The
 * AWS SDK is imported lazily, so handlers without `retry` never load it (it is provided
 * by the Lambda runtime and kept out of the bundle).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SLUICE_ENV } from './contract.ts';

/** One entry's result of a batch call. */
export interface EntryResult {
  ok: boolean;
  /** The SQS error code of a failed entry (or of the whole call). */
  code?: string;
}

const clients = new Map<string, Promise<SQSClient>>();

function isLoopback(host: string): boolean {
  return host === 'localhost' || host.startsWith('127.') || host === '[::1]' || host.endsWith('.localhost');
}

/**
 * The endpoint for SQS calls: the configured one, `SLUICE_SQS_ENDPOINT`, or — for a
 * queue URL that is not on amazonaws.com (a local server) — that URL's origin, so a
 * local queue is never confused with AWS.
 */
export function sqsEndpoint(configured: string | undefined, queueUrl?: string): string | undefined {
  const endpoint = configured ?? (process.env[SLUICE_ENV.SQS_ENDPOINT] || undefined);
  if (endpoint !== undefined || queueUrl === undefined) return endpoint;
  const url = new URL(queueUrl);
  return url.hostname.endsWith('.amazonaws.com') ? undefined : url.origin;
}

/**
 * The queue URL of a record's `eventSourceARN` (`arn:aws:sqs:region:account:name`).
 * `SLUICE_QUEUE_URL` wins when it names the same queue (local runs).
 */
export function queueUrlOf(arn: string, endpoint: string | undefined): string | undefined {
  const parts = arn.split(':');
  if (parts.length !== 6 || parts[2] !== 'sqs') return undefined;
  const [, , , region, account, name] = parts as [string, string, string, string, string, string];
  const fromEnv = process.env[SLUICE_ENV.QUEUE_URL];
  if (fromEnv && fromEnv.endsWith(`/${name}`)) return fromEnv;
  if (endpoint !== undefined) return `${endpoint.replace(/\/+$/, '')}/${account}/${name}`;
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `https://sqs.${region}.${suffix}/${account}/${name}`;
}

/** A cached SQS client for an endpoint and region. */
export function sqsClient(endpoint: string | undefined, region: string): Promise<SQSClient> {
  const key = `${endpoint ?? ''}|${region}`;
  let client = clients.get(key);
  if (client === undefined) {
    client = import('@aws-sdk/client-sqs').then(({ SQSClient: Client }) => {
      const local = endpoint !== undefined && isLoopback(new URL(endpoint).hostname);
      // Local servers need no real credentials; never let the SDK look for them off-host.
      const credentials = local && !process.env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined;
      return new Client({ region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}) });
    });
    // A failed creation (bad endpoint, SDK not loadable) is not cached: the next batch tries again.
    client.catch(() => clients.delete(key));
    clients.set(key, client);
  }
  return client;
}

/** Splits `items` into chunks of at most `size` (and, with `bytes`, at most `maxBytes` each). */
export function chunk<T>(items: readonly T[], size: number, bytes?: (item: T) => number, maxBytes = Infinity): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let total = 0;
  for (const item of items) {
    const b = bytes ? bytes(item) : 0;
    if (current.length === size || (current.length > 0 && total + b > maxBytes)) {
      out.push(current);
      current = [];
      total = 0;
    }
    current.push(item);
    total += b;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Maps `ids` to per-entry results from a batch response (`Successful`/`Failed`). */
export function entryResults(
  ids: readonly string[],
  response: { Successful?: { Id?: string | undefined }[] | undefined; Failed?: { Id?: string | undefined; Code?: string | undefined }[] | undefined },
): Map<string, EntryResult> {
  const results = new Map<string, EntryResult>();
  for (const id of ids) results.set(id, { ok: false, code: 'MissingFromResponse' });
  for (const s of response.Successful ?? []) if (s.Id) results.set(s.Id, { ok: true });
  for (const f of response.Failed ?? []) if (f.Id) results.set(f.Id, { ok: false, code: f.Code ?? 'Failed' });
  return results;
}
