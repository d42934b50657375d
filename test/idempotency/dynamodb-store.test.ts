/**
 * `dynamoDbStore()` on the embedded DynamoDB (dynalite, in memory, 127.0.0.1, port 0): the
 * same SDK calls as in AWS. Redeliveries in later batches, concurrent invocations, a crash
 * between claim and completion, an unreachable store, and the DynamoDB calls per record.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoDbStore, IdempotencyInProgressError, IdempotencyStoreError } from '../../lambda/idempotency/index.ts';
import type { DynamoDbClientLike } from '../../lambda/idempotency/index.ts';
import { DeadlineError, processBatch } from '../../lambda/runtime/index.ts';
import type { BatchOptions, SqsRecord } from '../../lambda/runtime/index.ts';
import { lambdaContext, sqsRecord } from '../../lambda/runtime/testing.ts';
import { createLocalTables, localDynamoDbConfig, startEmbeddedDynamoDb } from '../../lib/local/index.ts';
import type { EmbeddedDynamoDb } from '../../lib/local/index.ts';
import { deferred } from '../runtime/helpers.ts';

let db: EmbeddedDynamoDb;
let client: DynamoDBClient;
let tables = 0;

beforeAll(async () => {
  db = await startEmbeddedDynamoDb({ port: 0 });
  client = new DynamoDBClient(localDynamoDbConfig(db));
});
afterAll(async () => {
  client.destroy();
  await db.stop();
});

/** A fresh idempotency table, as `QueueConsumer({ idempotency })` defines it. */
async function table(): Promise<string> {
  const name = `idempotency-${++tables}`;
  await createLocalTables([{
    stack: 'Test', logicalId: name, path: name, name,
    keys: [{ name: 'id', keyType: 'HASH' }], attributeTypes: { id: 'S' },
    globalSecondaryIndexes: [], localSecondaryIndexes: [], timeToLiveAttribute: 'expiration',
  }], db);
  return name;
}

/** The embedded DynamoDB's client, counting the commands sent through it. */
function counting(): { client: DynamoDbClientLike; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    client: { send: ((command: { constructor: { name: string } }, ...rest: unknown[]) => {
      calls.push(command.constructor.name.replace(/Command$/, ''));
      return (client.send as (...args: unknown[]) => unknown)(command, ...rest);
    }) as DynamoDbClientLike['send'] },
  };
}

interface Order { orderId: string }
const order = (messageId: string, orderId: string): SqsRecord => sqsRecord({ messageId, body: { orderId } });

async function itemOf(tableName: string, id: string): Promise<Record<string, unknown> | undefined> {
  const { Item } = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }));
  return Item && Object.fromEntries(Object.entries(Item).map(([k, v]) => [k, v.S ?? Number(v.N)]));
}

describe('dynamoDbStore on the embedded DynamoDB', () => {
  it('does not run a duplicate delivered in a later batch, and counts its DynamoDB calls', async () => {
    const name = await table();
    const { client: counted, calls } = counting();
    const store = dynamoDbStore({ table: name, client: counted });
    const effects: string[] = [];
    const options: BatchOptions<Order> = { logger: false, idempotency: { store, key: (o) => o.orderId } };
    const handle = async (o: Order): Promise<void> => { effects.push(o.orderId); };

    const first = await processBatch([order('m1', 'o-1')], handle, options, lambdaContext({ functionName: 'fulfil' }));
    expect(first.batchItemFailures).toEqual([]);
    expect(calls.splice(0)).toEqual(['PutItem', 'UpdateItem']);
    expect(await itemOf(name, 'fulfil#o-1')).toMatchObject({ id: 'fulfil#o-1', status: 'COMPLETED' });

    const later = await processBatch([order('m2', 'o-1')], handle, options, lambdaContext({ functionName: 'fulfil' }));
    expect(later.batchItemFailures).toEqual([]);
    expect(later.outcomes[0]).toMatchObject({ status: 'succeeded', idempotentHit: true });
    // dynalite does not return the blocking item with the failed condition (AWS does), so the store reads it.
    expect(calls.splice(0)).toEqual(['PutItem', 'GetItem']);
    expect(effects).toEqual(['o-1']);

    const failing = await processBatch([order('m3', 'o-2')], async () => { throw new Error('downstream down'); }, options, lambdaContext({ functionName: 'fulfil' }));
    expect(failing.batchItemFailures).toEqual([{ itemIdentifier: 'm3' }]);
    expect(calls.splice(0)).toEqual(['PutItem', 'DeleteItem']);
    expect(await itemOf(name, 'fulfil#o-2')).toBeUndefined();
  });

  it('runs handle once when two invocations with the same key run at the same time', async () => {
    const name = await table();
    const effects: string[] = [];
    const started = deferred();
    const release = deferred();
    const handle = async (o: Order): Promise<void> => {
      effects.push(o.orderId);
      started.resolve();
      await release.promise;
    };
    // Two execution environments: a handler, a store and a client each, one table.
    const environment = (): BatchOptions<Order> => ({ logger: false, idempotency: { store: dynamoDbStore({ table: name, endpoint: db.endpoint }), key: (o) => o.orderId } });
    const a = processBatch([order('m1', 'o-9')], handle, environment(), lambdaContext({ functionName: 'fulfil' }));
    await started.promise;
    const b = await processBatch([order('m2', 'o-9')], handle, environment(), lambdaContext({ functionName: 'fulfil' }));
    expect(b.batchItemFailures).toEqual([{ itemIdentifier: 'm2' }]);
    expect(b.outcomes[0]!.error).toBeInstanceOf(IdempotencyInProgressError);
    release.resolve();
    expect((await a).batchItemFailures).toEqual([]);
    // The retry of the second finds the key completed.
    const retry = await processBatch([order('m2', 'o-9')], handle, environment(), lambdaContext({ functionName: 'fulfil' }));
    expect(retry.outcomes[0]).toMatchObject({ status: 'succeeded', idempotentHit: true });
    expect(effects).toEqual(['o-9']);
  });

  it('runs handle once for many concurrent copies of one key', async () => {
    const name = await table();
    let effects = 0;
    const handle = async (): Promise<void> => { effects++; await new Promise((r) => setTimeout(r, 50)); };
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) =>
      processBatch([order(`m${i}`, 'o-1')], handle, { logger: false, idempotency: { store: dynamoDbStore({ table: name, endpoint: db.endpoint }), key: (o: Order) => o.orderId } })));
    expect(effects).toBe(1);
    const outcomes = results.map((r) => r.outcomes[0]!);
    // One ran; each other copy either met the live claim or (arriving later) the completed key.
    expect(outcomes.filter((o) => o.status === 'succeeded' && !o.idempotentHit)).toHaveLength(1);
    for (const o of outcomes.filter((x) => x.status !== 'succeeded')) expect(o.error).toBeInstanceOf(IdempotencyInProgressError);
    expect(outcomes.every((o) => o.status === 'succeeded' || o.status === 'failed')).toBe(true);
  });

  it('lets the retry run after the in-progress expiry when an invocation dies between claim and completion', async () => {
    const name = await table();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = dynamoDbStore({ table: name, client, now: () => now });
    const options: BatchOptions<Order> = { logger: false, deadlineMarginMs: 100, idempotency: { store, key: (o) => o.orderId } };
    // The first invocation claims, then never finishes: cut off at its deadline (a crash or timeout).
    const crashed = await processBatch([order('m1', 'o-5')], () => new Promise(() => {}), options, lambdaContext({ timeoutMs: 300, now: () => now }));
    expect(crashed.outcomes[0]!.error).toBeInstanceOf(DeadlineError);
    const claim = await itemOf(name, 'sluice-test#o-5');
    expect(claim).toMatchObject({ status: 'IN_PROGRESS', inProgressExpiry: now + 300 });

    const effects: string[] = [];
    const handle = async (o: Order): Promise<void> => { effects.push(o.orderId); };
    const tooSoon = await processBatch([order('m1', 'o-5')], handle, options, lambdaContext({ now: () => now }));
    expect(tooSoon.outcomes[0]!.error).toBeInstanceOf(IdempotencyInProgressError);
    now += 301;
    const retry = await processBatch([order('m1', 'o-5')], handle, options, lambdaContext({ now: () => now }));
    expect(retry.batchItemFailures).toEqual([]);
    expect(effects).toEqual(['o-5']);
    expect(await itemOf(name, 'sluice-test#o-5')).toMatchObject({ status: 'COMPLETED' });
  });

  it('runs a completed key again once it expired', async () => {
    const name = await table();
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = dynamoDbStore({ table: name, client, now: () => now });
    let effects = 0;
    const options: BatchOptions<Order> = { logger: false, idempotency: { store, expiresAfterSeconds: 60 } };
    await processBatch([order('m1', 'o-1')], async () => { effects++; }, options);
    now += 30_000;
    await processBatch([order('m1', 'o-1')], async () => { effects++; }, options);
    now += 31_000;
    await processBatch([order('m1', 'o-1')], async () => { effects++; }, options);
    expect(effects).toBe(2);
  });

  it('fails records without running them when the store is unreachable', async () => {
    const down = new DynamoDBClient({ ...localDynamoDbConfig({ endpoint: 'http://127.0.0.1:9', region: db.region }), maxAttempts: 1 });
    let effects = 0;
    const result = await processBatch([order('m1', 'o-1'), order('m2', 'o-2')], async () => { effects++; }, {
      logger: false, idempotency: { store: dynamoDbStore({ table: 'any', client: down }) },
    });
    down.destroy();
    expect(effects).toBe(0);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }, { itemIdentifier: 'm2' }]);
    for (const outcome of result.outcomes) {
      expect(outcome.error).toBeInstanceOf(IdempotencyStoreError);
      expect(outcome.error).toMatchObject({ code: 'IDEMPOTENCY_STORE', message: expect.stringContaining('was not run') });
      expect((outcome.error!.cause as Error).name).toBeTruthy();
    }
  });

  it('fails records without running them when the table does not exist', async () => {
    let effects = 0;
    const result = await processBatch([order('m1', 'o-1')], async () => { effects++; }, {
      logger: false, idempotency: { store: dynamoDbStore({ table: 'no-such-table', client }) },
    });
    expect(effects).toBe(0);
    expect(result.outcomes[0]!.error).toMatchObject({ code: 'IDEMPOTENCY_STORE', cause: { name: 'ResourceNotFoundException' } });
  });

  it('makes its own client from AWS_ENDPOINT_URL_DYNAMODB, as sluice dev sets it', async () => {
    const name = await table();
    const previous = process.env.AWS_ENDPOINT_URL_DYNAMODB;
    process.env.AWS_ENDPOINT_URL_DYNAMODB = db.endpoint;
    try {
      const store = dynamoDbStore({ table: name, region: db.region });
      const result = await processBatch([order('m1', 'o-1')], async () => {}, { logger: false, idempotency: { store } });
      expect(result.batchItemFailures).toEqual([]);
      expect(await itemOf(name, 'sluice#m1')).toMatchObject({ status: 'COMPLETED' });
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
      else process.env.AWS_ENDPOINT_URL_DYNAMODB = previous;
    }
  });
});

describe('dynamoDbStore against the AWS behaviour of ReturnValuesOnConditionCheckFailure', () => {
  it('needs no GetItem when the failed condition returns the blocking item (1 PutItem for a duplicate)', async () => {
    const calls: string[] = [];
    const fake: DynamoDbClientLike = {
      send: (async (command: { constructor: { name: string }; input: { ReturnValuesOnConditionCheckFailure?: string } }) => {
        calls.push(command.constructor.name.replace(/Command$/, ''));
        expect(command.input.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
        throw Object.assign(new Error('The conditional request failed'), {
          name: 'ConditionalCheckFailedException',
          Item: { id: { S: 'sluice#m1' }, status: { S: 'COMPLETED' }, expiration: { N: String(Math.floor(Date.now() / 1000) + 600) }, inProgressExpiry: { N: '0' } },
        });
      }) as unknown as DynamoDbClientLike['send'],
    };
    let effects = 0;
    const result = await processBatch([order('m1', 'o-1')], async () => { effects++; }, { logger: false, idempotency: { store: dynamoDbStore({ table: 't', client: fake }) } });
    expect(result.outcomes[0]).toMatchObject({ status: 'succeeded', idempotentHit: true });
    expect(effects).toBe(0);
    expect(calls).toEqual(['PutItem']);
  });
});
