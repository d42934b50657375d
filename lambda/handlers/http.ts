/**
 * A small JSON-over-HTTP call for the example handlers that maps HTTP outcomes to Sluice
 * errors: 4xx → `PermanentError` (429 → `TransientError`), 5xx, timeouts and network
 * failures → `TransientError`.
 */
import { PermanentError, TransientError } from '../runtime/index.ts';

/** Options of {@link postJson}. */
export interface PostJsonOptions {
  /** Aborts the call (pass `ctx.signal`, so the Lambda deadline cuts it off). */
  signal: AbortSignal;
  /** Per-call timeout. @default 5000 */
  timeoutMs?: number;
  /** Statuses that count as success besides 2xx (e.g. 409 for an idempotent create). */
  acceptStatuses?: readonly number[];
}

function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

/**
 * POSTs `payload` as JSON and resolves with the HTTP status on success.
 *
 * @throws {PermanentError} for a 4xx other than 408/429 (the request itself is wrong)
 * @throws {TransientError} for 408, 429, 5xx, a timeout or a network failure
 */
export async function postJson(url: string, payload: unknown, options: PostJsonOptions): Promise<number> {
  const signal = AbortSignal.any([options.signal, AbortSignal.timeout(options.timeoutMs ?? 5000)]);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal,
    });
  } catch (cause) {
    const what = (cause as Error | undefined)?.name === 'TimeoutError' ? 'timed out' : 'failed';
    throw new TransientError(`POST ${new URL(url).pathname} ${what}`, { cause });
  }
  await response.body?.cancel();
  const { status } = response;
  if ((status >= 200 && status < 300) || options.acceptStatuses?.includes(status)) return status;
  const message = `POST ${new URL(url).pathname} answered ${status}`;
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
    throw new TransientError(message, retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter });
  }
  throw new PermanentError(message);
}
