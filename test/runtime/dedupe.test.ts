import { describe, expect, it } from 'vitest';
import { processBatch } from '../../lambda/runtime/index.ts';
import type { SqsRecord } from '../../lambda/runtime/index.ts';
import { sqsRecord } from '../../lambda/runtime/testing.ts';
import { handSchema, tick } from './helpers.ts';

const quiet = { logger: false } as const;

interface Order { orderId: string; fail?: boolean }

const orders = (...specs: [messageId: string, orderId: string, fail?: boolean][]): SqsRecord[] =>
  specs.map(([messageId, orderId, fail]) => sqsRecord({ messageId, body: { orderId, fail: fail ?? false } }));

async function run(records: SqsRecord[], dedupe: boolean | ((m: Order, r: SqsRecord) => string) | undefined) {
  const calls: string[] = [];
  const result = await processBatch(records, async (m: Order, ctx) => {
    calls.push(ctx.messageId);
    await tick();
    if (m.fail) throw new Error(`fail ${m.orderId}`);
  }, dedupe === undefined ? quiet : { ...quiet, dedupe });
  return { result, calls, statuses: result.outcomes.map((o) => o.status), failures: result.batchItemFailures.map((f) => f.itemIdentifier) };
}

describe('dedupe: true (the default)', () => {
  it('does not run a later copy of a messageId and marks it duplicate', async () => {
    const { calls, statuses, failures, result } = await run(orders(['a', 'o1'], ['b', 'o2'], ['a', 'o1'], ['a', 'o1']), undefined);
    expect(calls).toEqual(['a', 'b']);
    expect(statuses).toEqual(['succeeded', 'succeeded', 'duplicate', 'duplicate']);
    expect(failures).toEqual([]);
    expect(result.stats).toMatchObject({ total: 4, succeeded: 2, duplicates: 2 });
  });

  it('reports the messageId once when the original failed', async () => {
    const { statuses, failures } = await run(orders(['a', 'o1', true], ['b', 'o2'], ['a', 'o1']), true);
    expect(statuses).toEqual(['failed', 'succeeded', 'duplicate']);
    expect(failures).toEqual(['a']);
  });

  it('reports the messageId when the original failed to decode', async () => {
    const records = [sqsRecord({ messageId: 'a', body: '{nope' }), sqsRecord({ messageId: 'a', body: { orderId: 'o1' } })];
    const { statuses, failures, calls } = await run(records, true);
    expect(calls).toEqual([]);
    expect(statuses).toEqual(['failed', 'duplicate']);
    expect(failures).toEqual(['a']);
  });

  it('tells apart ids that differ only where the fingerprint does not look, and finds every copy among them', async () => {
    // 36-character ids (the length of SQS's) that differ only in their first two
    // characters: the engine's fingerprint samples every third character from the end, so
    // all of them share one fingerprint and must be told apart by comparing the ids.
    const tail = '-0000-4000-8000-'.padEnd(34, '0');
    const hex = '0123456789abcdef';
    const ids = Array.from({ length: 256 }, (_, k) => `${hex[k >> 4]}${hex[k & 15]}${tail}`);
    expect(new Set(ids).size).toBe(256);
    expect(ids.every((id) => id.length === 36)).toBe(true);
    const copies = [7, 7, 200, 0, 255];
    const records = [...ids, ...copies.map((k) => ids[k]!)].map((messageId, i) => sqsRecord({ messageId, body: { orderId: `o${i}` } }));
    const { calls, statuses } = await run(records, true);
    expect(calls).toEqual(ids);
    expect(statuses.slice(0, 256).every((s) => s === 'succeeded')).toBe(true);
    expect(statuses.slice(256)).toEqual(['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate']);
  });

  it('finds copies in a batch larger than a power of two, wherever they are', async () => {
    const records = Array.from({ length: 1500 }, (_, i) => sqsRecord({ messageId: `m-${i % 1000}`, body: { orderId: `o${i}` } }));
    const { statuses } = await run(records, true);
    expect(statuses.slice(0, 1000).every((s) => s === 'succeeded')).toBe(true);
    expect(statuses.slice(1000).every((s) => s === 'duplicate')).toBe(true);
  });
});

describe('dedupe: false', () => {
  it('runs every copy of a messageId', async () => {
    const { calls, statuses, result } = await run(orders(['a', 'o1'], ['a', 'o1'], ['a', 'o1']), false);
    expect(calls).toEqual(['a', 'a', 'a']);
    expect(statuses).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(result.stats.duplicates).toBe(0);
  });

  it('reports a messageId once even when several copies fail', async () => {
    const { failures, statuses } = await run(orders(['a', 'o1', true], ['b', 'o2'], ['a', 'o1', true]), false);
    expect(statuses).toEqual(['failed', 'succeeded', 'failed']);
    expect(failures).toEqual(['a']);
  });
});

describe('dedupe: a key function', () => {
  const byOrder = (m: Order): string => m.orderId;

  it('does not run a later record with the same key and marks it duplicate', async () => {
    const { calls, statuses, failures, result } = await run(orders(['a', 'o1'], ['b', 'o2'], ['c', 'o1']), byOrder);
    expect(calls).toEqual(['a', 'b']);
    expect(statuses).toEqual(['succeeded', 'succeeded', 'duplicate']);
    expect(failures).toEqual([]);
    expect(result.stats.duplicates).toBe(1);
  });

  it('reports both the original and its copies, each once, when the original failed', async () => {
    const { statuses, failures } = await run(orders(['a', 'o1', true], ['b', 'o2'], ['c', 'o1'], ['d', 'o1'], ['c', 'o3']), byOrder);
    // 'c' appears twice: as a copy of the failed o1, and as order o3, which runs: with a key
    // function only keys count, and the messageId is still reported once.
    expect(statuses).toEqual(['failed', 'succeeded', 'duplicate', 'duplicate', 'succeeded']);
    expect(failures).toEqual(['a', 'c', 'd']);
  });

  it('calls the key function with the schema output and the record', async () => {
    const seen: [unknown, string][] = [];
    const Upper = handSchema<Order>((v) => ({ value: { orderId: String((v as Order).orderId).toUpperCase() } }));
    const records = orders(['a', 'x'], ['b', 'X']);
    const result = await processBatch(records, async () => {}, {
      ...quiet,
      schema: Upper,
      dedupe: (m, record) => {
        seen.push([m, record.messageId]);
        return m.orderId;
      },
    });
    expect(seen).toEqual([[{ orderId: 'X' }, 'a'], [{ orderId: 'X' }, 'b']]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['succeeded', 'duplicate']);
  });

  it('keeps messageId duplicates running when the key function says the keys differ', async () => {
    const { calls } = await run(orders(['a', 'o1'], ['a', 'o2']), byOrder);
    expect(calls).toEqual(['a', 'a']);
  });

  it('fails only the record whose key function throws', async () => {
    const { statuses, failures } = await run(orders(['a', 'o1'], ['b', 'boom'], ['c', 'o3']), (m) => {
      if (m.orderId === 'boom') throw new Error('key');
      return m.orderId;
    });
    expect(statuses).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(failures).toEqual(['b']);
  });

  it('fails only the record whose key function returns a non-string', async () => {
    const { statuses } = await run(orders(['a', 'o1'], ['b', 'o2']), (m) => (m.orderId === 'o2' ? (42 as unknown as string) : m.orderId));
    expect(statuses).toEqual(['succeeded', 'failed']);
  });

  it('does not treat a record that failed to decode as the original of its key', async () => {
    const schema = handSchema<Order>((v) => ((v as Order).orderId === 'bad'
      ? { issues: [{ message: 'bad order' }] }
      : { value: v as Order }));
    const records = [sqsRecord({ messageId: 'a', body: { orderId: 'bad' } }), sqsRecord({ messageId: 'b', body: { orderId: 'o1' } }), sqsRecord({ messageId: 'c', body: { orderId: 'o1' } })];
    const result = await processBatch(records, async () => {}, { ...quiet, schema, dedupe: (m) => m.orderId });
    expect(result.outcomes.map((o) => o.status)).toEqual(['failed', 'succeeded', 'duplicate']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a' }]);
  });
});
