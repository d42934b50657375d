/**
 * The example handlers against a real HTTP server on 127.0.0.1: HTTP outcomes map to
 * Sluice errors, and the batch outcome follows. `register-user`'s idempotency table lives
 * in the embedded DynamoDB (dynalite, in memory), as under `sluice dev`.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { postJson } from '../../lib/example/handlers/http.ts';
import { PermanentError, processBatch, TransientError } from '../../lambda/runtime/index.ts';
import { createLocalTables, startEmbeddedDynamoDb } from '../../lib/local/index.ts';
import type { EmbeddedDynamoDb } from '../../lib/local/index.ts';
import { lambdaContext, snsEnvelope, sqsEvent, sqsRecord } from '../../lambda/runtime/testing.ts';

let server: Server;
let dynamoDb: EmbeddedDynamoDb;
let base: string;
/** Status to answer per user id (default 201); 'hang' never answers. */
let plan: Record<string, number | 'hang'> = {};
const received: unknown[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      const user = JSON.parse(body || '{}') as { id?: string };
      received.push({ url: req.url, user });
      const answer = plan[user.id ?? ''] ?? 201;
      if (answer === 'hang') return;
      if (answer === 429) res.setHeader('retry-after', '7');
      res.writeHead(answer);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.IDENTITY_API_URL = `${base}/`;
  delete process.env.SLUICE_DLQ_URL;
  dynamoDb = await startEmbeddedDynamoDb();
  await createLocalTables([{
    stack: 'Test', logicalId: 'Table', path: 'RegisterUser/IdempotencyTable', name: 'register-user-idempotency',
    keys: [{ name: 'id', keyType: 'HASH' }], attributeTypes: { id: 'S' }, globalSecondaryIndexes: [], localSecondaryIndexes: [],
  }], dynamoDb);
  process.env.SLUICE_IDEMPOTENCY_TABLE = 'register-user-idempotency';
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoDb.endpoint;
});

afterAll(async () => {
  await dynamoDb.stop();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  plan = {};
  received.length = 0;
});

describe('postJson', () => {
  const signal = new AbortController().signal;

  it('resolves with the status for 2xx and accepted statuses', async () => {
    expect(await postJson(`${base}/users`, { id: 'a' }, { signal })).toBe(201);
    plan = { b: 409 };
    expect(await postJson(`${base}/users`, { id: 'b' }, { signal, acceptStatuses: [409] })).toBe(409);
  });

  it('throws PermanentError for a 4xx and TransientError for 5xx, 408 and 429 (with Retry-After)', async () => {
    plan = { p: 400, s: 503, t: 408, r: 429 };
    await expect(postJson(`${base}/users`, { id: 'p' }, { signal })).rejects.toBeInstanceOf(PermanentError);
    await expect(postJson(`${base}/users`, { id: 's' }, { signal })).rejects.toBeInstanceOf(TransientError);
    await expect(postJson(`${base}/users`, { id: 't' }, { signal })).rejects.toBeInstanceOf(TransientError);
    await expect(postJson(`${base}/users`, { id: 'r' }, { signal })).rejects.toMatchObject({ retryAfterSeconds: 7 });
  });

  it('throws TransientError on a timeout and on a refused connection', async () => {
    plan = { h: 'hang' };
    await expect(postJson(`${base}/users`, { id: 'h' }, { signal, timeoutMs: 50 })).rejects.toThrow(/timed out/);
    await expect(postJson('http://127.0.0.1:1/users', { id: 'x' }, { signal })).rejects.toBeInstanceOf(TransientError);
  });

  it('aborts with the caller signal', async () => {
    plan = { h: 'hang' };
    const controller = new AbortController();
    const call = postJson(`${base}/users`, { id: 'h' }, { signal: controller.signal });
    controller.abort();
    await expect(call).rejects.toThrow(/failed/);
  });
});

describe('register-user handler', () => {
  const user = (id: string): unknown => ({
    type: 'UserRegistered', userId: id, email: `${id}@example.com`, name: id, registeredAt: '2026-11-23T10:00:00Z',
  });

  it('creates each valid user and reports only the failures', async () => {
    const { handler } = await import('../../lib/example/handlers/register-user.ts');
    plan = { dup: 409, bad: 400, down: 503 };
    const event = sqsEvent([
      { messageId: 'm-ok', body: snsEnvelope(user('ok')) },
      { messageId: 'm-dup', body: snsEnvelope(user('dup')) },
      { messageId: 'm-bad', body: snsEnvelope(user('bad')) },
      { messageId: 'm-down', body: snsEnvelope(user('down')) },
      { messageId: 'm-invalid', body: snsEnvelope({ type: 'UserRegistered', userId: 'x' }) },
    ]);
    const response = await handler(event, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-bad' }, { itemIdentifier: 'm-down' }, { itemIdentifier: 'm-invalid' }] });
    expect(received.map((r) => (r as { user: { id: string } }).user.id).sort()).toEqual(['bad', 'down', 'dup', 'ok']);
  });

  it('posts a user once although a later message registers the same user again', async () => {
    const { handler } = await import('../../lib/example/handlers/register-user.ts');
    const first = await handler(sqsEvent([{ messageId: 'm-once-1', body: snsEnvelope(user('once')) }]), lambdaContext());
    const again = await handler(sqsEvent([{ messageId: 'm-once-2', body: snsEnvelope(user('once')) }]), lambdaContext());
    expect([first, again]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(received.filter((r) => (r as { user: { id: string } }).user.id === 'once')).toHaveLength(1);
  });

  it('is recognised by the worker as a Sluice handler with its options', async () => {
    const { handler } = await import('../../lib/example/handlers/register-user.ts');
    const result = await processBatch(sqsEvent([{ body: snsEnvelope(user('w')) }]).Records, handler.sluice.handle, { ...handler.sluice.options, logger: false });
    expect(result.outcomes[0]!.status).toBe('succeeded');
  });
});

describe('fulfil-order handler', () => {
  it('rejects a step that arrives after a later one of the same order', async () => {
    const { handler } = await import('../../lib/example/handlers/fulfil-order.ts');
    const step = (sequence: number, groupId: string): ReturnType<typeof sqsRecord> =>
      sqsRecord({ groupId, body: { orderId: groupId, step: 'placed', sequence } });
    const ok = await handler({ Records: [step(1, 'o-1'), step(2, 'o-1')] }, lambdaContext());
    expect(ok).toEqual({ batchItemFailures: [] });
    const late = step(1, 'o-1');
    const response = await handler({ Records: [late] }, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: late.messageId }] });
  });
});
