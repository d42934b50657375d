/**
 * The `idempotency` option of `processBatch`/`sqsHandler` with the in-memory store: which
 * records run, how each outcome reads, and what is counted, logged and measured.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  dynamoDbStore, idempotencyId, IdempotencyInProgressError, IdempotencyStoreError, idempotencyStore, memoryStore,
} from '../../lambda/idempotency/index.ts';
import type { IdempotencyRecordStore } from '../../lambda/idempotency/index.ts';
import { ConfigError, DeadlineError, emfMetrics, processBatch, sqsHandler, TransientError } from '../../lambda/runtime/index.ts';
import type { BatchOptions, LambdaContext, SqsRecord } from '../../lambda/runtime/index.ts';
import { fifoEvent, lambdaContext, sqsEvent, sqsRecord } from '../../lambda/runtime/testing.ts';
import { captureLogger, captureOutput, deferred, waitFor } from '../runtime/helpers.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');

interface User { userId: string }

function setup() {
  let now = T0;
  const store = memoryStore({ now: () => now });
  const runs: string[] = [];
  const handle = async (user: User, ctx: { messageId: string }): Promise<void> => {
    runs.push(`${ctx.messageId}:${user.userId}`);
  };
  return { store, runs, handle, advance: (ms: number) => { now += ms; }, clock: () => now };
}

const user = (messageId: string, userId: string): SqsRecord => sqsRecord({ messageId, body: { userId } });

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('idempotency across deliveries', () => {
  it('runs a first delivery and skips its redelivery in a later batch, which counts as succeeded', async () => {
    const { store, runs, handle } = setup();
    const options: BatchOptions<User> = { logger: false, idempotency: { store } };
    const first = await processBatch([user('m1', 'u1')], handle, options);
    expect(first.outcomes[0]).toMatchObject({ messageId: 'm1', status: 'succeeded' });
    expect(first.outcomes[0]!.idempotentHit).toBeUndefined();
    expect(first.stats.idempotentHits).toBe(0);
    const again = await processBatch([user('m1', 'u1')], handle, options);
    expect(runs).toEqual(['m1:u1']);
    expect(again.batchItemFailures).toEqual([]);
    expect(again.outcomes[0]).toMatchObject({ messageId: 'm1', status: 'succeeded', idempotentHit: true });
    expect(again.stats).toMatchObject({ total: 1, succeeded: 1, idempotentHits: 1 });
  });

  it('keys by the decoded message when `key` is given: another message of the same user is not run', async () => {
    const { store, runs, handle } = setup();
    const options: BatchOptions<User> = { logger: false, idempotency: { store, key: (u) => u.userId } };
    await processBatch([user('m1', 'u1')], handle, options);
    const second = await processBatch([user('m2', 'u1'), user('m3', 'u2')], handle, options);
    expect(runs).toEqual(['m1:u1', 'm3:u2']);
    expect(second.outcomes.map((o) => o.idempotentHit ?? false)).toEqual([true, false]);
  });

  it('defaults the key to the dedupe function when dedupe is one', async () => {
    const { store, runs, handle } = setup();
    const options: BatchOptions<User> = { logger: false, dedupe: (u) => u.userId, idempotency: { store } };
    await processBatch([user('m1', 'u1')], handle, options);
    await processBatch([user('m2', 'u1')], handle, options);
    expect(runs).toEqual(['m1:u1']);
  });

  it('namespaces keys by the function name: from the Lambda context, else AWS_LAMBDA_FUNCTION_NAME', async () => {
    const { store, runs, handle } = setup();
    const options: BatchOptions<User> = { logger: false, idempotency: { store } };
    await processBatch([user('m1', 'u1')], handle, options, lambdaContext({ functionName: 'register-user' }));
    await processBatch([user('m1', 'u1')], handle, options, lambdaContext({ functionName: 'welcome-email' }));
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', 'worker-fn');
    await processBatch([user('m1', 'u1')], handle, options);
    expect(runs).toHaveLength(3);
    expect([...store.items.keys()].sort()).toEqual(['register-user#m1', 'welcome-email#m1', 'worker-fn#m1']);
  });

  it('uses `namespace` when given', async () => {
    const { store, handle } = setup();
    await processBatch([user('m1', 'u1')], handle, { logger: false, idempotency: { store, namespace: 'orders-worker' } }, lambdaContext());
    expect([...store.items.keys()]).toEqual(['orders-worker#m1']);
  });

  it('removes the claim when handle fails, so the retry runs', async () => {
    const { store, runs } = setup();
    let calls = 0;
    const flaky = async (u: User): Promise<void> => {
      runs.push(u.userId);
      if (++calls === 1) throw new TransientError('downstream 503');
    };
    const options: BatchOptions<User> = { logger: false, idempotency: { store } };
    const first = await processBatch([user('m1', 'u1')], flaky, options);
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(store.items.size).toBe(0);
    const retry = await processBatch([user('m1', 'u1')], flaky, options);
    expect(retry.batchItemFailures).toEqual([]);
    expect(runs).toEqual(['u1', 'u1']);
    expect(store.items.get('sluice#m1')?.status).toBe('COMPLETED');
  });

  it('fails a record whose key another invocation holds with IdempotencyInProgressError, without running it', async () => {
    const { store, runs, handle } = setup();
    await store.claim('sluice#m1', { expiresAfterSeconds: 3600, inProgressExpiryMs: 60_000 });
    const result = await processBatch([user('m1', 'u1')], handle, { logger: false, idempotency: { store } });
    expect(runs).toEqual([]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    const error = result.outcomes[0]!.error!;
    expect(error).toBeInstanceOf(IdempotencyInProgressError);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ name: 'IdempotencyInProgressError', code: 'IDEMPOTENCY_IN_PROGRESS' });
    expect(error.message).toContain('m1');
  });

  it('runs the record again once the other claim expired', async () => {
    const { store, runs, handle, advance } = setup();
    await store.claim('sluice#m1', { expiresAfterSeconds: 3600, inProgressExpiryMs: 60_000 });
    advance(60_001);
    const result = await processBatch([user('m1', 'u1')], handle, { logger: false, idempotency: { store } });
    expect(result.batchItemFailures).toEqual([]);
    expect(runs).toEqual(['m1:u1']);
  });

  it('runs a completed key again after expiresAfterSeconds', async () => {
    const { store, runs, handle, advance } = setup();
    const options: BatchOptions<User> = { logger: false, idempotency: { store, expiresAfterSeconds: 60 } };
    await processBatch([user('m1', 'u1')], handle, options);
    advance(59_000);
    await processBatch([user('m1', 'u1')], handle, options);
    expect(runs).toHaveLength(1);
    advance(2000);
    await processBatch([user('m1', 'u1')], handle, options);
    expect(runs).toHaveLength(2);
  });

  it('takes the default expiry from SLUICE_IDEMPOTENCY_EXPIRES_AFTER_SECONDS (QueueConsumer expiresAfter), under the option', async () => {
    const { store, handle } = setup();
    vi.stubEnv('SLUICE_IDEMPOTENCY_EXPIRES_AFTER_SECONDS', '120');
    await processBatch([user('m1', 'u1')], handle, { logger: false, idempotency: { store } });
    await processBatch([user('m2', 'u1')], handle, { logger: false, idempotency: { store, expiresAfterSeconds: 30 } });
    expect(store.items.get('sluice#m1')?.expiration).toBe(T0 / 1000 + 120);
    expect(store.items.get('sluice#m2')?.expiration).toBe(T0 / 1000 + 30);
  });

  it('stores a key longer than DynamoDB allows as its SHA-256, within its namespace', () => {
    expect(idempotencyId('fn', 'order-1')).toBe('fn#order-1');
    const long = idempotencyId('fn', 'x'.repeat(3000));
    expect(long).toMatch(/^fn#sha256:[0-9a-f]{64}$/);
    expect(idempotencyId('fn', 'x'.repeat(3000))).toBe(long);
  });

  it('expires completed keys after 3600 s by default', async () => {
    const { store, handle } = setup();
    await processBatch([user('m1', 'u1')], handle, { logger: false, idempotency: { store } });
    expect(store.items.get('sluice#m1')?.expiration).toBe(T0 / 1000 + 3600);
  });

  it('lets an in-progress claim last until the invocation deadline by default, or inProgressExpiryMs', async () => {
    const { store, clock } = setup();
    const seen: number[] = [];
    const peek = (id: string) => async (): Promise<void> => { seen.push(store.items.get(id)!.inProgressExpiry); };
    const context = lambdaContext({ timeoutMs: 20_000, now: clock });
    await processBatch([user('m1', 'u1')], peek('sluice-test#m1'), { logger: false, idempotency: { store } }, context);
    await processBatch([user('m2', 'u1')], peek('sluice-test#m2'), { logger: false, idempotency: { store, inProgressExpiryMs: 5000 } }, context);
    await processBatch([user('m3', 'u1')], peek('sluice#m3'), { logger: false, idempotency: { store } });
    expect(seen).toEqual([T0 + 20_000, T0 + 5000, T0 + 900_000]);
  });

  it('fails every record without running it when the store throws (IdempotencyStoreError with the cause)', async () => {
    const down: IdempotencyRecordStore = {
      claim: async () => { throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { name: 'TimeoutError' }); },
      complete: async () => {},
      release: async () => {},
    };
    const { runs, handle } = setup();
    const result = await processBatch([user('m1', 'u1'), user('m2', 'u2')], handle, { logger: false, idempotency: { store: idempotencyStore(down) } });
    expect(runs).toEqual([]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }]);
    const error = result.outcomes[0]!.error!;
    expect(error).toBeInstanceOf(IdempotencyStoreError);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'IDEMPOTENCY_STORE', cause: { name: 'TimeoutError' } });
  });

  it('reports the record succeeded and warns when the completion write fails (the effect happened)', async () => {
    const inner = memoryStore();
    const flakyComplete = idempotencyStore({
      claim: (k, t) => inner.claim(k, t),
      complete: async () => { throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }); },
      release: (k, c) => inner.release(k, c),
    });
    const { logger, at } = captureLogger();
    const { handle } = setup();
    const result = await processBatch([user('m1', 'u1')], handle, { logger, idempotency: { store: flakyComplete } });
    expect(result.batchItemFailures).toEqual([]);
    expect(at('warn')).toEqual([expect.objectContaining({
      message: expect.stringContaining('completion failed'),
      fields: { messageId: 'm1', errorName: 'ProvisionedThroughputExceededException' },
    })]);
  });

  it('fails the record when the key function returns no string', async () => {
    const { store, runs, handle } = setup();
    const result = await processBatch([user('m1', 'u1')], handle, { logger: false, idempotency: { store, key: () => undefined as unknown as string } });
    expect(runs).toEqual([]);
    expect(result.outcomes[0]).toMatchObject({ status: 'failed', error: expect.any(TypeError) });
  });

  it('stops a FIFO group at a record whose claim fails, like any failure', async () => {
    const { store, runs, handle } = setup();
    await store.claim('sluice#a2', { expiresAfterSeconds: 3600, inProgressExpiryMs: 60_000 });
    const { Records } = fifoEvent([
      { messageId: 'a1', groupId: 'g', body: { userId: 'a1' } },
      { messageId: 'a2', groupId: 'g', body: { userId: 'a2' } },
      { messageId: 'a3', groupId: 'g', body: { userId: 'a3' } },
      { messageId: 'b1', groupId: 'h', body: { userId: 'b1' } },
    ]);
    const result = await processBatch(Records, handle, { logger: false, idempotency: { store } });
    expect(result.outcomes.map((o) => o.status)).toEqual(['succeeded', 'failed', 'skipped', 'succeeded']);
    expect(result.outcomes[2]!.error).toBeInstanceOf(IdempotencyInProgressError);
    expect(runs.sort()).toEqual(['a1:a1', 'b1:b1']);
  });

  it('never starts handle when the deadline passed during the claim, and releases the claim', async () => {
    let now = T0;
    const inner = memoryStore({ now: () => now });
    const gate = deferred();
    let released = 0;
    const slow = idempotencyStore({
      claim: async (k, t) => { await gate.promise; return inner.claim(k, t); },
      complete: (k, s) => inner.complete(k, s),
      release: async (k, c) => { released++; await inner.release(k, c); },
    });
    const { runs, handle } = setup();
    const context: LambdaContext = lambdaContext({ timeoutMs: 1200, now: () => now });
    const pending = processBatch([user('m1', 'u1')], handle, { logger: false, deadlineMarginMs: 1000, idempotency: { store: slow } }, context);
    now += 250;
    const result = await pending;
    expect(result.outcomes[0]).toMatchObject({ status: 'failed', error: expect.any(DeadlineError) });
    gate.resolve();
    await waitFor(() => released === 1, 'the claim to be released');
    expect(runs).toEqual([]);
    expect(inner.items.size).toBe(0);
  });

  it('does not count a hit cut off by the deadline', async () => {
    let now = T0;
    const inner = memoryStore({ now: () => now });
    await inner.claim('sluice-test#m1', { expiresAfterSeconds: 3600, inProgressExpiryMs: 1 });
    await inner.complete('sluice-test#m1', 3600);
    const gate = deferred();
    const slow = idempotencyStore({
      claim: async (k, t) => { await gate.promise; return inner.claim(k, t); },
      complete: (k, s) => inner.complete(k, s),
      release: (k, c) => inner.release(k, c),
    });
    const { handle } = setup();
    const pending = processBatch([user('m1', 'u1')], handle, { logger: false, deadlineMarginMs: 1000, idempotency: { store: slow } }, lambdaContext({ timeoutMs: 1200, now: () => now }));
    now += 250;
    const result = await pending;
    gate.resolve();
    expect(result.outcomes[0]!.status).toBe('failed');
    expect(result.outcomes[0]!.idempotentHit).toBeUndefined();
    expect(result.stats.idempotentHits).toBe(0);
  });

  it('answers Lambda with only the records that did not succeed (sqsHandler)', async () => {
    const { store, runs, handle } = setup();
    const handler = sqsHandler<User>({ logger: false, idempotency: { store, key: (u) => u.userId }, handle });
    await handler(sqsEvent([user('m1', 'u1')]), lambdaContext());
    const response = await handler(sqsEvent([user('m2', 'u1'), user('m3', 'u2')]), lambdaContext());
    expect(response).toEqual({ batchItemFailures: [] });
    expect(runs).toEqual(['m1:u1', 'm3:u2']);
  });

  it('adds IdempotentHits to the EMF line only with idempotency', async () => {
    const { store, handle } = setup();
    const metrics = emfMetrics({ namespace: 'Sluice/Test' });
    const output = captureOutput();
    try {
      await processBatch([user('m1', 'u1')], handle, { logger: false, metrics, idempotency: { store } });
      await processBatch([user('m1', 'u1')], handle, { logger: false, metrics, idempotency: { store } });
      await processBatch([user('m1', 'u1')], handle, { logger: false, metrics });
    } finally {
      output.restore();
    }
    const lines = output.stdout().map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Metrics: { Name: string; Unit: string }[] }[] } });
    expect(lines.map((l) => l.IdempotentHits)).toEqual([0, 1, undefined]);
    expect(lines[1]!._aws.CloudWatchMetrics[0]!.Metrics.at(-1)).toEqual({ Name: 'IdempotentHits', Unit: 'Count' });
    expect(lines[2]!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).not.toContain('IdempotentHits');
  });

  it('logs idempotentHits in the batch summary', async () => {
    const { store, handle } = setup();
    const { logger, at } = captureLogger();
    await processBatch([user('m1', 'u1')], handle, { logger, idempotency: { store } });
    await processBatch([user('m1', 'u1')], handle, { logger, idempotency: { store } });
    expect(at('info').map((l) => l.fields?.idempotentHits)).toEqual([0, 1]);
  });
});

describe('idempotency options', () => {
  const handle = async (): Promise<void> => {};
  const problemsOf = (options: unknown): readonly string[] => {
    try {
      sqsHandler({ handle, ...(options as object) });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems;
    }
    throw new Error('expected a ConfigError');
  };

  it('fails at creation when the store is not a store of sluice/idempotency, e.g. "auto"', () => {
    expect(problemsOf({ idempotency: { store: 'auto' } })).toEqual([
      'idempotency: received an object; allowed: { store: a store of sluice/idempotency, ... }',
    ]);
    expect(problemsOf({ idempotency: true })).toEqual(['idempotency: received true; allowed: { store: a store of sluice/idempotency, ... }']);
  });

  it('fails at creation for each bad or unknown field, naming it, the value and what is allowed', () => {
    const store = memoryStore();
    expect(problemsOf({ idempotency: { store, key: 'userId', expiresAfterSeconds: 0, inProgressExpiryMs: 1.5, namespace: '', ttl: 5 } })).toEqual([
      'idempotency.ttl: unknown option; allowed: store, key, expiresAfterSeconds, inProgressExpiryMs, namespace',
      'idempotency.key: received "userId"; allowed: a function (message, record) => string',
      'idempotency.expiresAfterSeconds: received 0; allowed: an integer ≥ 1',
      'idempotency.inProgressExpiryMs: received 1.5; allowed: an integer ≥ 1',
      'idempotency.namespace: received ""; allowed: a non-empty string',
    ]);
  });

  it('fails at creation when dynamoDbStore() reads SLUICE_IDEMPOTENCY_TABLE and it is unset', () => {
    vi.stubEnv('SLUICE_IDEMPOTENCY_TABLE', '');
    const [problem] = problemsOf({ idempotency: { store: dynamoDbStore() } });
    expect(problem).toMatch(/^idempotency\.store: dynamoDbStore\(\) table "auto": SLUICE_IDEMPOTENCY_TABLE is not set/);
    vi.stubEnv('SLUICE_IDEMPOTENCY_TABLE', 'users-idempotency');
    expect(() => sqsHandler({ handle, idempotency: { store: dynamoDbStore() } })).not.toThrow();
  });

  it('fails at creation when SLUICE_IDEMPOTENCY_EXPIRES_AFTER_SECONDS is not a whole number of seconds', () => {
    vi.stubEnv('SLUICE_IDEMPOTENCY_EXPIRES_AFTER_SECONDS', '1h');
    expect(problemsOf({ idempotency: { store: memoryStore() } })).toEqual([
      'SLUICE_IDEMPOTENCY_EXPIRES_AFTER_SECONDS: received "1h"; allowed: an integer ≥ 1 (seconds)',
    ]);
  });

  it('reports idempotency problems together with the others', () => {
    expect(problemsOf({ concurrency: 0, idempotency: { store: memoryStore(), expiresAfterSeconds: -1 } })).toHaveLength(2);
  });
});
