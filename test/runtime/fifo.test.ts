import { describe, expect, it } from 'vitest';
import { processBatch, ValidationError } from '../../lambda/runtime/index.ts';
import type { BatchOptions, MessageContext, SqsRecord } from '../../lambda/runtime/index.ts';
import { fifoEvent, sqsRecord, TEST_QUEUE_ARN } from '../../lambda/runtime/testing.ts';
import { deferred, tick, waitFor } from './helpers.ts';

const quiet = { logger: false } as const;

interface Step { g: string; k: number; fail?: boolean }

/** Runs a batch and records, per group, start and end events of each record. */
async function runRecorded(records: SqsRecord[], options: BatchOptions<Step> = {}) {
  const events: string[] = [];
  const running = new Map<string, number>();
  let overlapInGroup = false;
  let inFlight = 0;
  let maxInFlight = 0;
  const contexts: MessageContext[] = [];
  const result = await processBatch(records, async (m: Step, ctx) => {
    contexts.push(ctx);
    if ((running.get(m.g) ?? 0) > 0) overlapInGroup = true;
    running.set(m.g, (running.get(m.g) ?? 0) + 1);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    events.push(`start ${m.g}${m.k}`);
    for (let t = 0; t < ((m.k * 7 + m.g.charCodeAt(0)) % 3) + 1; t++) await tick();
    events.push(`end ${m.g}${m.k}`);
    inFlight--;
    running.set(m.g, running.get(m.g)! - 1);
    if (m.fail) throw new Error(`fail ${m.g}${m.k}`);
  }, { ...quiet, ...options });
  return { result, events, overlapInGroup, maxInFlight, contexts };
}

function steps(groups: Record<string, number>, fail: string[] = []): SqsRecord[] {
  // Interleave the groups' records: a1 b1 c1 a2 b2 ...
  const out: SqsRecord[] = [];
  const max = Math.max(...Object.values(groups));
  for (let k = 1; k <= max; k++) {
    for (const [g, n] of Object.entries(groups)) {
      if (k <= n) out.push(...fifoEvent([{ messageId: `${g}${k}`, groupId: g, body: { g, k, fail: fail.includes(`${g}${k}`) } }]).Records);
    }
  }
  return out;
}

const statusOf = (result: { outcomes: { messageId: string; status: string }[] }) =>
  Object.fromEntries(result.outcomes.map((o) => [o.messageId, o.status]));

describe('FIFO detection', () => {
  it("treats a batch as FIFO with fifo: 'auto' when the eventSourceARN ends in .fifo", async () => {
    const { overlapInGroup, result } = await runRecorded(steps({ a: 5 }), { concurrency: 5 });
    expect(overlapInGroup).toBe(false);
    expect(result.stats.maxInFlight).toBe(1);
  });

  it("does not treat a standard queue as FIFO just because records carry MessageGroupId (fair queues)", async () => {
    const records = steps({ a: 5 }, ['a2']).map((r) => ({ ...r, eventSourceARN: TEST_QUEUE_ARN }));
    const { overlapInGroup, result, contexts } = await runRecorded(records, { concurrency: 5 });
    expect(overlapInGroup).toBe(true);
    expect(result.stats.maxInFlight).toBe(5);
    // No group skipping on a standard queue: only the failed record is reported.
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a2' }]);
    for (const ctx of contexts) expect(ctx).not.toHaveProperty('groupId');
  });

  it('forces FIFO handling with fifo: true on a standard ARN', async () => {
    const records = steps({ a: 4 }, ['a2']).map((r) => ({ ...r, eventSourceARN: TEST_QUEUE_ARN }));
    const { overlapInGroup, result, contexts } = await runRecorded(records, { concurrency: 4, fifo: true });
    expect(overlapInGroup).toBe(false);
    expect(statusOf(result)).toEqual({ a1: 'succeeded', a2: 'failed', a3: 'skipped', a4: 'skipped' });
    expect(contexts.map((c) => c.groupId)).toEqual(['a', 'a']);
  });

  it('turns FIFO handling off with fifo: false on a .fifo ARN', async () => {
    const { overlapInGroup, result } = await runRecorded(steps({ a: 4 }, ['a2']), { concurrency: 4, fifo: false });
    expect(overlapInGroup).toBe(true);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a2' }]);
  });
});

describe('FIFO ordering', () => {
  it('runs the records of one group strictly in order, one at a time', async () => {
    const { events, overlapInGroup } = await runRecorded(steps({ a: 4, b: 3, c: 5 }), { concurrency: 10 });
    expect(overlapInGroup).toBe(false);
    for (const [g, n] of [['a', 4], ['b', 3], ['c', 5]] as const) {
      const own = events.filter((e) => e.split(' ')[1]!.startsWith(g));
      const expected = Array.from({ length: n }, (_, i) => [`start ${g}${i + 1}`, `end ${g}${i + 1}`]).flat();
      expect(own).toEqual(expected);
    }
  });

  it('runs different groups in parallel up to concurrency', async () => {
    const wide = await runRecorded(steps({ a: 3, b: 3, c: 3, d: 3 }), { concurrency: 10 });
    expect(wide.maxInFlight).toBe(4);
    expect(wide.result.stats.maxInFlight).toBe(4);
    const narrow = await runRecorded(steps({ a: 3, b: 3, c: 3, d: 3 }), { concurrency: 2 });
    expect(narrow.maxInFlight).toBe(2);
    expect(narrow.result.stats.maxInFlight).toBe(2);
    expect(narrow.overlapInGroup).toBe(false);
  });

  it('lets another group progress while one group waits', async () => {
    const gate = deferred();
    const done: string[] = [];
    const records = steps({ a: 2, b: 3 });
    const pending = processBatch(records, async (m: Step) => {
      if (m.g === 'a' && m.k === 1) await gate.promise;
      done.push(`${m.g}${m.k}`);
    }, { ...quiet, concurrency: 2 });
    await waitFor(() => done.length === 3, 'group b finished');
    expect(done).toEqual(['b1', 'b2', 'b3']);
    gate.resolve();
    await pending;
    expect(done).toEqual(['b1', 'b2', 'b3', 'a1', 'a2']);
  });

  it('sets ctx.groupId to the MessageGroupId on FIFO queues', async () => {
    const { contexts } = await runRecorded(steps({ a: 1, b: 1 }));
    expect(contexts.map((c) => [c.messageId, c.groupId]).sort()).toEqual([['a1', 'a'], ['b1', 'b']]);
  });

  it('puts FIFO records without MessageGroupId into one shared group, with no ctx.groupId', async () => {
    const records = Array.from({ length: 4 }, (_, k) => sqsRecord({
      messageId: `x${k + 1}`,
      queueArn: `${TEST_QUEUE_ARN}.fifo`,
      body: { g: 'x', k: k + 1, fail: k === 1 },
    }));
    const grouped = fifoEvent([{ messageId: 'y1', groupId: 'y', body: { g: 'y', k: 1 } }]).Records;
    const { result, overlapInGroup, contexts } = await runRecorded([...records, ...grouped], { concurrency: 8 });
    expect(overlapInGroup).toBe(false);
    expect(statusOf(result)).toEqual({ x1: 'succeeded', x2: 'failed', x3: 'skipped', x4: 'skipped', y1: 'succeeded' });
    expect(contexts.find((c) => c.messageId === 'x1')).not.toHaveProperty('groupId');
  });
});

describe('FIFO failures', () => {
  it("skips the rest of a failed group with 'skip-group' (the default), leaving other groups alone", async () => {
    const { result, events } = await runRecorded(steps({ a: 4, b: 3 }, ['a2']), { concurrency: 4 });
    expect(statusOf(result)).toEqual({ a1: 'succeeded', b1: 'succeeded', a2: 'failed', b2: 'succeeded', a3: 'skipped', b3: 'succeeded', a4: 'skipped' });
    expect(events).not.toContain('start a3');
    expect(events).not.toContain('start a4');
    const byId = new Map(result.outcomes.map((o) => [o.messageId, o]));
    const failure = byId.get('a2')!.error!;
    expect(failure.message).toBe('fail a2');
    expect(byId.get('a3')!.error).toBe(failure);
    expect(byId.get('a4')!.error).toBe(failure);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'a2' }, { itemIdentifier: 'a3' }, { itemIdentifier: 'a4' }]);
    expect(result.stats).toMatchObject({ total: 7, succeeded: 4, failed: 1, skipped: 2 });
  });

  it('skips the rest of a group after a record fails to decode', async () => {
    const records = steps({ a: 3 });
    records[1] = { ...records[1]!, body: '{broken' };
    const { result } = await runRecorded(records);
    expect(statusOf(result)).toEqual({ a1: 'succeeded', a2: 'failed', a3: 'skipped' });
    expect(result.outcomes[2]!.error).toBeInstanceOf(ValidationError);
  });

  it("skips every record not yet started with 'stop-batch', and lets started ones finish", async () => {
    const gate = deferred();
    const started: string[] = [];
    const records = steps({ a: 3, b: 3, c: 2 }, ['a1']);
    const pending = processBatch(records, async (m: Step) => {
      started.push(`${m.g}${m.k}`);
      if (m.g === 'a') throw new Error('fail a1');
      if (m.g === 'b' && m.k === 1) await gate.promise;
    }, { ...quiet, concurrency: 2, onGroupFailure: 'stop-batch' });
    await waitFor(() => started.includes('b1') && started.includes('a1'), 'a1 and b1 started');
    // a1 failed while b1 is in flight; c never started (concurrency 2).
    for (let i = 0; i < 5; i++) await tick();
    gate.resolve();
    const result = await pending;
    expect(started.sort()).toEqual(['a1', 'b1']);
    expect(statusOf(result)).toEqual({ a1: 'failed', b1: 'succeeded', c1: 'skipped', a2: 'skipped', b2: 'skipped', c2: 'skipped', a3: 'skipped', b3: 'skipped' });
    const stop = result.outcomes.find((o) => o.messageId === 'a1')!.error;
    for (const o of result.outcomes.filter((x) => x.status === 'skipped')) expect(o.error).toBe(stop);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['a1', 'c1', 'a2', 'b2', 'c2', 'a3', 'b3']);
  });

  it('does not skip later records of a group after a duplicate (only failures stop a group)', async () => {
    const records = steps({ a: 3 });
    records[1] = { ...records[1]!, messageId: 'a1' };
    const { result } = await runRecorded(records);
    expect(result.outcomes.map((o) => o.status)).toEqual(['succeeded', 'duplicate', 'succeeded']);
  });
});
