/**
 * Randomized property test of the batch engine, seeded and reproducible.
 *
 * Set SLUICE_PROPERTY_SEED to replay a run (the seed is printed in the describe name, and
 * each iteration's own seed in its test name); SLUICE_PROPERTY_RUNS changes the count.
 */
import { describe, expect, it } from 'vitest';
import { EnvelopeError, processBatch, ValidationError } from '../../lambda/runtime/index.ts';
import type { BatchOptions, BatchResult, SqsRecord } from '../../lambda/runtime/index.ts';
import { sqsRecord, TEST_QUEUE_ARN } from '../../lambda/runtime/testing.ts';
import { prng as mulberry32 } from '../../chaos/plan.ts';
import { handSchema, tick } from './helpers.ts';

const SEED = Number(process.env.SLUICE_PROPERTY_SEED ?? 0x51c3);
const RUNS = Number(process.env.SLUICE_PROPERTY_RUNS ?? 200);

/** What each record is set up to do. */
const FATES = ['ok', 'ok-sync', 'throw', 'reject', 'throw-value', 'bad-json', 'bad-schema', 'duplicate'] as const;
type Fate = (typeof FATES)[number];
const FAILING = new Set<Fate>(['throw', 'reject', 'throw-value', 'bad-json', 'bad-schema']);

interface Plan {
  seed: number;
  n: number;
  concurrency: number;
  fifo: boolean;
  stopBatch: boolean;
  /** Dedupe by a key from the decoded message (`k`) instead of by messageId. */
  keyed: boolean;
  /** Each record's dedupe key when keyed. */
  keys: number[];
  fates: Fate[];
  groups: (string | undefined)[];
  /** For duplicates: the index of the record they copy. */
  originOf: number[];
  yields: number[];
  records: SqsRecord[];
}

function makePlan(seed: number): Plan {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));
  // Mostly small and medium batches, some large ones, and empty ones.
  const sizeClass = rnd();
  const n = sizeClass < 0.05 ? 0 : sizeClass < 0.5 ? int(1, 20) : sizeClass < 0.85 ? int(21, 150) : int(151, 500);
  const concurrency = int(1, 64);
  const fifo = rnd() < 0.4;
  const stopBatch = fifo && rnd() < 0.3;
  const keyed = rnd() < 0.3;
  const keys: number[] = [];
  const failRate = rnd() * 0.5;
  const groupCount = int(1, 12);
  const fates: Fate[] = [];
  const groups: (string | undefined)[] = [];
  const originOf: number[] = [];
  const yields: number[] = [];
  const records: SqsRecord[] = [];
  const arn = fifo ? `${TEST_QUEUE_ARN}.fifo` : TEST_QUEUE_ARN;
  for (let i = 0; i < n; i++) {
    let fate: Fate;
    const r = rnd();
    if (i > 0 && r < 0.04) fate = 'duplicate';
    else if (rnd() < failRate) fate = (['throw', 'reject', 'throw-value', 'bad-json', 'bad-schema'] as const)[int(0, 4)]!;
    else fate = rnd() < 0.2 ? 'ok-sync' : 'ok';
    fates.push(fate);
    // A copy of an earlier record; originOf points at the first record of that messageId.
    let origin = fate === 'duplicate' ? int(0, i - 1) : -1;
    while (origin >= 0 && originOf[origin]! >= 0) origin = originOf[origin]!;
    originOf.push(origin);
    // FIFO: a few records carry no MessageGroupId (they share one group). Standard queues
    // sometimes carry MessageGroupId too (fair queues), which must not matter.
    const group = rnd() < 0.1 ? undefined : `g${int(0, groupCount - 1)}`;
    groups.push(group);
    yields.push(int(0, 3));
    // Copies share the messageId (dedupe: true) or, when keyed, only the key `k`.
    const messageId = origin >= 0 && !keyed ? records[origin]!.messageId : `m-${i}`;
    const k = origin >= 0 ? keys[origin]! : i;
    keys.push(k);
    const body = fate === 'bad-json' ? `{"i":${i},` : fate === 'bad-schema' ? JSON.stringify({ i: String(i), k }) : JSON.stringify({ i, k });
    const record = sqsRecord({ messageId, body, queueArn: arn });
    if (group !== undefined && (fifo || rnd() < 0.5)) record.attributes.MessageGroupId = group;
    else delete record.attributes.MessageGroupId;
    records.push(record);
  }
  return { seed, n, concurrency, fifo, stopBatch, keyed, keys, fates, groups: records.map((r) => r.attributes.MessageGroupId), originOf, yields, records };
}

const Message = handSchema<{ i: number; k: number }>((v) => {
  const { i, k } = (v ?? {}) as { i?: unknown; k?: unknown };
  return typeof i === 'number' && typeof k === 'number' ? { value: { i, k } } : { issues: [{ message: 'i must be a number', path: ['i'] }] };
});

interface Observed {
  calls: number[];
  starts: number[];
  maxInFlight: number;
  groupViolations: string[];
  thrown: Map<number, unknown>;
}

async function execute(plan: Plan): Promise<{ result: BatchResult; seen: Observed }> {
  const seen: Observed = { calls: new Array<number>(plan.n).fill(0), starts: [], maxInFlight: 0, groupViolations: [], thrown: new Map() };
  let inFlight = 0;
  const running = new Map<string, number>();
  const lastStarted = new Map<string, number>();
  const groupKey = (i: number): string => plan.groups[i] ?? '(none)';
  const options: BatchOptions<{ i: number; k: number }> = {
    dedupe: plan.keyed ? (m) => `key-${m.k}` : true,
    logger: false,
    concurrency: plan.concurrency,
    schema: Message,
    onGroupFailure: plan.stopBatch ? 'stop-batch' : 'skip-group',
  };
  const result = await processBatch(plan.records, (m: { i: number; k: number }) => {
    const i = m.i;
    seen.calls[i]!++;
    seen.starts.push(i);
    if (plan.fifo) {
      const g = groupKey(i);
      if ((running.get(g) ?? 0) > 0) seen.groupViolations.push(`record ${i} started while group ${g} was busy`);
      if ((lastStarted.get(g) ?? -1) > i) seen.groupViolations.push(`record ${i} started after record ${lastStarted.get(g)} of group ${g}`);
      lastStarted.set(g, i);
      running.set(g, (running.get(g) ?? 0) + 1);
    }
    const fate = plan.fates[i]!;
    const done = (): void => {
      if (plan.fifo) running.set(groupKey(i), running.get(groupKey(i))! - 1);
    };
    if (fate === 'ok-sync') {
      done();
      return undefined;
    }
    if (fate === 'throw' && plan.yields[i] === 0) {
      done();
      const e = new Error(`sync throw ${i}`);
      seen.thrown.set(i, e);
      throw e;
    }
    inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, inFlight);
    return (async () => {
      for (let k = 0; k < plan.yields[i]!; k++) {
        if (k % 2 === 0) await tick();
        else await Promise.resolve();
      }
      inFlight--;
      done();
      if (fate === 'throw') {
        const e = new Error(`throw ${i}`);
        seen.thrown.set(i, e);
        throw e;
      }
      if (fate === 'reject') {
        const e = new TypeError(`reject ${i}`);
        seen.thrown.set(i, e);
        return Promise.reject(e);
      }
      if (fate === 'throw-value') {
        const v = { notAnError: i };
        seen.thrown.set(i, v);
        throw v;
      }
      return { ignored: true };
    })();
  }, options);
  return { result, seen };
}

function check(plan: Plan, result: BatchResult, seen: Observed): void {
  const { n, fates, originOf, keys } = plan;
  const { outcomes, stats, batchItemFailures } = result;

  // Keyed dedupe: per key at most one record ran; each duplicate has an original that ran.
  const ranByKey = new Map<number, number>();
  if (plan.keyed) {
    for (let i = 0; i < n; i++) {
      if (seen.calls[i] !== 1) continue;
      expect(ranByKey.has(keys[i]!), `key ${keys[i]} ran twice`).toBe(false);
      ranByKey.set(keys[i]!, i);
    }
    for (let i = 0; i < n; i++) {
      if (outcomes[i]!.status === 'duplicate') expect(ranByKey.has(keys[i]!), `original of duplicate ${i}`).toBe(true);
    }
    if (!plan.fifo) {
      // Records start in order, so the original is the first decodable record of its key.
      for (const [key, ran] of ranByKey) {
        const first = keys.findIndex((k, i) => k === key && fates[i] !== 'bad-json' && fates[i] !== 'bad-schema');
        expect(ran).toBe(first);
      }
    }
  }

  // Every record accounted for exactly once, in record order.
  expect(outcomes).toHaveLength(n);
  outcomes.forEach((o, i) => expect(o.messageId).toBe(plan.records[i]!.messageId));

  // handle ran at most once per record, never for duplicates or undecodable records.
  for (let i = 0; i < n; i++) {
    const status = outcomes[i]!.status;
    const fate = fates[i]!;
    const expectCall = status !== 'skipped' && status !== 'duplicate' && fate !== 'bad-json' && fate !== 'bad-schema';
    expect(seen.calls[i], `calls of record ${i} (${fate}, ${status})`).toBe(expectCall ? 1 : 0);
  }

  // Status follows the fate.
  for (let i = 0; i < n; i++) {
    const o = outcomes[i]!;
    const fate = fates[i]!;
    if (o.status === 'duplicate') {
      // By messageId: exactly the planned copies. By key: planned copies, or (FIFO) an
      // original whose copy in another group happened to start first.
      if (!plan.keyed) expect(fate, `record ${i}`).toBe('duplicate');
      else if (!plan.fifo) expect(fate, `record ${i}`).toBe('duplicate');
      continue;
    }
    expect(plan.keyed || fate !== 'duplicate', `messageId copy ${i} ran`).toBe(true);
    if (o.status === 'skipped') {
      expect(plan.fifo, `record ${i} skipped outside FIFO`).toBe(true);
      continue;
    }
    // A keyed copy that ran (its original never decoded, or was skipped) behaves as 'ok'.
    expect(o.status, `record ${i} (${fate})`).toBe(FAILING.has(fate) ? 'failed' : 'succeeded');
    if (fate === 'bad-json' || fate === 'bad-schema') expect(o.error).toBeInstanceOf(ValidationError);
    if (fate === 'throw' || fate === 'reject') expect(o.error).toBe(seen.thrown.get(i));
    if (fate === 'throw-value') {
      expect(o.error).toBeInstanceOf(Error);
      expect(o.error!.cause).toBe(seen.thrown.get(i));
    }
    if (o.status === 'succeeded') expect(o.error).toBeUndefined();
    expect(o.error).not.toBeInstanceOf(EnvelopeError);
  }

  // Standard queues: nothing skipped. FIFO: skips follow the group rules.
  if (!plan.fifo) {
    expect(stats.skipped).toBe(0);
  } else {
    const byGroup = new Map<string, number[]>();
    plan.groups.forEach((g, i) => {
      if (fates[i] === 'duplicate' || plan.records.findIndex((r) => r.messageId === plan.records[i]!.messageId) !== i) return;
      const key = g ?? '(none)';
      byGroup.set(key, [...(byGroup.get(key) ?? []), i]);
    });
    // Skips in groups that had no failure of their own (stop-batch only).
    const stopSkips = new Set<unknown>();
    for (const members of byGroup.values()) {
      let failedAt = -1;
      for (const i of members) {
        const o = outcomes[i]!;
        if (failedAt >= 0) {
          // After a failure in the group, every later record is skipped with that failure.
          expect(o.status, `record ${i} after failure of ${failedAt}`).toBe('skipped');
          expect(o.error).toBe(outcomes[failedAt]!.error);
        } else if (o.status === 'failed') {
          failedAt = i;
        } else if (o.status === 'skipped') {
          // Only stop-batch skips a record whose group had no failure before it.
          expect(plan.stopBatch, `record ${i} skipped without a failure in its group`).toBe(true);
          stopSkips.add(o.error);
        }
      }
    }
    // Every such skip carries the one failure that stopped the batch.
    expect(stopSkips.size).toBeLessThanOrEqual(1);
    const failures = new Set<unknown>(outcomes.filter((o) => o.status === 'failed').map((o) => o.error));
    for (const e of stopSkips) expect(failures.has(e)).toBe(true);
    expect(seen.groupViolations).toEqual([]);
  }

  // batchItemFailures: exactly the ids that did not succeed, in record order, distinct.
  const expected: string[] = [];
  for (let i = 0; i < n; i++) {
    const o = outcomes[i]!;
    const original = plan.keyed ? ranByKey.get(keys[i]!)! : originOf[i]!;
    const ok = o.status === 'succeeded' || (o.status === 'duplicate' && outcomes[original]!.status === 'succeeded');
    if (!ok && !expected.includes(o.messageId)) expected.push(o.messageId);
  }
  expect(batchItemFailures.map((f) => f.itemIdentifier)).toEqual(expected);
  expect(new Set(expected).size).toBe(expected.length);

  // Stats agree with the outcomes.
  const count = (s: string): number => outcomes.filter((o) => o.status === s).length;
  expect(stats).toMatchObject({
    total: n,
    succeeded: count('succeeded'),
    failed: count('failed'),
    skipped: count('skipped'),
    duplicates: count('duplicate'),
  });
  expect(stats.total).toBe(stats.succeeded + stats.failed + stats.skipped + stats.duplicates);

  // In flight: never above concurrency, measured by the handler and by the engine.
  expect(seen.maxInFlight).toBeLessThanOrEqual(plan.concurrency);
  expect(stats.maxInFlight).toBeLessThanOrEqual(plan.concurrency);
  expect(seen.maxInFlight).toBeLessThanOrEqual(stats.maxInFlight);
  if (plan.fifo) {
    const groupCount = new Set(plan.groups.map((g) => g ?? '(none)')).size;
    expect(stats.maxInFlight).toBeLessThanOrEqual(groupCount);
  }
  // A standard batch whose first `concurrency` records all await fills the pool.
  const head = fates.slice(0, Math.min(plan.concurrency, n));
  if (!plan.fifo && n > 0 && head.every((f, i) => (f === 'ok' || f === 'reject' || f === 'throw-value' || (f === 'throw' && plan.yields[i]! > 0)))) {
    expect(stats.maxInFlight).toBe(head.length);
  }

  // Standard batches start records in record order.
  if (!plan.fifo) expect(seen.starts).toEqual([...seen.starts].sort((a, b) => a - b));
}

const root = mulberry32(SEED);
const seeds = Array.from({ length: RUNS }, () => Math.floor(root() * 2 ** 32));

describe(`processBatch properties (seed ${SEED}, ${RUNS} runs)`, () => {
  it.each(seeds.map((s, k) => [k, s] as const))('run %i (seed %i): every record accounted for once, failures exact, pool bounded, groups ordered', async (_k, seed) => {
    const plan = makePlan(seed);
    const { result, seen } = await execute(plan);
    check(plan, result, seen);
  });
});
