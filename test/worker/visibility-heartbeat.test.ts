/**
 * The heartbeat's renewal rules on a fake clock, with an SQS client whose
 * ChangeMessageVisibilityBatch calls are answered in process (nothing leaves it).
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import type { ChangeMessageVisibilityBatchRequestEntry, ChangeMessageVisibilityBatchResult } from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SluiceLogger } from '../../lambda/runtime/index.ts';
import { VisibilityHeartbeat } from '../../lib/worker/visibility-heartbeat.ts';

const HOUR_MS = 3_600_000;
const LIMIT_MS = 12 * HOUR_MS;

interface Call {
  /** Fake-clock epoch ms of the call. */
  readonly at: number;
  readonly entries: readonly ChangeMessageVisibilityBatchRequestEntry[];
}

type Answer = (entries: readonly ChangeMessageVisibilityBatchRequestEntry[], call: number) => ChangeMessageVisibilityBatchResult | Error;

/** An SQS client that records each ChangeMessageVisibilityBatch call and answers it with `answer`. */
function fakeSqs(answer: Answer = () => ({ Successful: [], Failed: [] })): { client: SQSClient; calls: Call[] } {
  const client = new SQSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const calls: Call[] = [];
  client.middlewareStack.add(() => async (args) => {
    const entries = (args.input as { Entries: ChangeMessageVisibilityBatchRequestEntry[] }).Entries;
    calls.push({ at: Date.now(), entries });
    const result = answer(entries, calls.length);
    if (result instanceof Error) throw result;
    return { output: { $metadata: {}, ...result }, response: {} } as never;
  }, { step: 'initialize', name: 'fakeSqs' });
  return { client, calls };
}

function spyLogger(): SluiceLogger & { warns: [string, Record<string, unknown> | undefined][] } {
  const warns: [string, Record<string, unknown> | undefined][] = [];
  return { warns, debug() {}, info() {}, warn: (message, fields) => void warns.push([message, fields]), error() {} };
}

const messages = (...ids: string[]) => ids.map((id) => ({ messageId: id, receiptHandle: `rh-${id}` }));
const handles = (call: Call | undefined) => call?.entries.map((e) => e.ReceiptHandle);

let heartbeat: VisibilityHeartbeat | undefined;
beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
});
afterEach(() => {
  heartbeat?.stop();
  heartbeat = undefined;
  vi.useRealTimers();
});

function start(visibilityTimeoutSeconds: number, answer?: Answer) {
  const sqs = fakeSqs(answer);
  const logger = spyLogger();
  let extended = 0;
  heartbeat = new VisibilityHeartbeat({
    client: sqs.client, queueUrl: 'http://127.0.0.1:9/000000000000/q', visibilityTimeoutSeconds, logger,
    onExtended: (count) => (extended += count),
  });
  return { heartbeat, calls: sqs.calls, logger, extended: () => extended };
}

describe('VisibilityHeartbeat', () => {
  it('renews every tracked message at half its timeout, the messages of a batch in one call', async () => {
    const { heartbeat, calls, extended } = start(30);
    const t0 = Date.now();
    heartbeat.track(messages('a', 'b'), t0);
    await vi.advanceTimersByTimeAsync(14_000);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.at - t0).toBe(15_000);
    expect(calls[0]!.entries.map((e) => [e.ReceiptHandle, e.VisibilityTimeout])).toEqual([['rh-a', 30], ['rh-b', 30]]);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(calls.map((c) => c.at - t0)).toEqual([15_000, 30_000]);
    expect(extended()).toBe(4);
  });

  it('stops renewing a dropped message and every message of a released batch', async () => {
    const { heartbeat, calls } = start(30);
    const batch = heartbeat.track(messages('a', 'b'));
    batch.drop('a');
    await vi.advanceTimersByTimeAsync(15_000);
    expect(handles(calls[0])).toEqual(['rh-b']);
    batch.release();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
  });

  it('never holds a message past 12 h from the receive that returned it: the last renewal sets the time left, then renewals stop', async () => {
    const { heartbeat, calls, logger } = start(3_600);
    const receiveStartedAt = Date.now();
    // Tracked a little after the receive was sent (a long poll, then the handler started).
    await vi.advanceTimersByTimeAsync(5_000);
    heartbeat.track(messages('a'), receiveStartedAt);
    for (let h = 0; h < 14; h++) await vi.advanceTimersByTimeAsync(HOUR_MS);
    // Every renewal ends before the limit: a full hour every 30 min while one fits, then the rest.
    for (const call of calls) {
      expect(call.at + call.entries[0]!.VisibilityTimeout! * 1000).toBeLessThanOrEqual(receiveStartedAt + LIMIT_MS);
    }
    const timeouts = calls.map((c) => c.entries[0]!.VisibilityTimeout);
    expect(timeouts.slice(0, -1).every((t) => t === 3_600)).toBe(true);
    expect(calls).toHaveLength(22);
    const last = calls.at(-1)!;
    expect(last.at - receiveStartedAt).toBe(5_000 + 22 * 1_800_000);
    // 12 h less the 10 s margin, less the time already held.
    expect(last.entries[0]!.VisibilityTimeout).toBe(43_200 - 10 - (5 + 22 * 1_800));
    expect(logger.warns.map(([message]) => message)).toEqual([expect.stringContaining('12 h limit')]);
    expect(heartbeat.tracked).toBe(0);
  });

  it('measures the 12 h limit from the receive, so a batch tracked late gets only the time left', async () => {
    const { heartbeat, calls } = start(600);
    const receiveStartedAt = Date.now();
    vi.setSystemTime(receiveStartedAt + LIMIT_MS - 400_000);
    heartbeat.track(messages('a'), receiveStartedAt);
    await vi.advanceTimersByTimeAsync(300_000);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.entries[0]!.VisibilityTimeout).toBe(90); // 400 s − 300 s − 10 s margin
    await vi.advanceTimersByTimeAsync(HOUR_MS);
    expect(calls).toHaveLength(1);
  });

  it.each(['ReceiptHandleIsInvalid', 'AWS.SimpleQueueService.MessageNotInflight'])(
    'stops renewing a message whose renewal fails with %s and keeps renewing its siblings',
    async (code) => {
      const { heartbeat, calls, logger } = start(30, (entries) => ({
        Successful: entries.filter((e) => e.ReceiptHandle !== 'rh-a').map((e) => ({ Id: e.Id })),
        Failed: entries.filter((e) => e.ReceiptHandle === 'rh-a').map((e) => ({ Id: e.Id, Code: code, SenderFault: true })),
      }));
      heartbeat.track(messages('a', 'b'));
      await vi.advanceTimersByTimeAsync(15_000);
      expect(handles(calls[0])).toEqual(['rh-a', 'rh-b']);
      // No retry of a on the next ticks; b is renewed on schedule.
      await vi.advanceTimersByTimeAsync(15_000);
      expect(calls.map(handles)).toEqual([['rh-a', 'rh-b'], ['rh-b']]);
      expect(logger.warns[0]![1]).toMatchObject({ stopped: 1, retrying: 0, codes: [code] });
    },
  );

  it('backs off exponentially, up to half the timeout or 30 s, after failed calls, and renews on schedule after a success', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'RequestThrottled' });
    const { heartbeat, calls, logger } = start(120, (_entries, call) => (call <= 7 ? throttled : { Successful: [{ Id: 'v0' }], Failed: [] }));
    const t0 = Date.now();
    heartbeat.track(messages('a'), t0);
    await vi.advanceTimersByTimeAsync(215_000);
    // Due at 60 s; retried after 1, 2, 4, 8, 16, 30 (capped), 30 s; then every 60 s again.
    expect(calls.map((c) => (c.at - t0) / 1000)).toEqual([60, 61, 63, 67, 75, 91, 121, 151, 211]);
    expect(logger.warns[0]![1]).toMatchObject({ stopped: 0, retrying: 1, codes: ['RequestThrottled'], retryInMs: 1_000 });
  });

  it('backs off after a per-entry failure that is not final, without delaying its siblings', async () => {
    const { heartbeat, calls } = start(8, (entries, call) => ({
      Successful: entries.filter((e) => call > 2 || e.ReceiptHandle !== 'rh-a').map((e) => ({ Id: e.Id })),
      Failed: entries.filter((e) => call <= 2 && e.ReceiptHandle === 'rh-a').map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
    }));
    const t0 = Date.now();
    heartbeat.track(messages('a', 'b'), t0);
    await vi.advanceTimersByTimeAsync(9_000);
    // Half of 8 s is 4 s and a tick is 1 s: a fails at 4 s, is retried at 5 s (fails) and 7 s;
    // b is renewed at 4 s and 8 s.
    expect(calls.map((c) => [(c.at - t0) / 1000, handles(c)])).toEqual([
      [4, ['rh-a', 'rh-b']], [5, ['rh-a']], [7, ['rh-a']], [8, ['rh-b']],
    ]);
  });
});
