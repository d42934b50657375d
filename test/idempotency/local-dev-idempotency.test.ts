/**
 * Idempotency in the local runtime: a `QueueConsumer({ idempotency })` app synthesized,
 * its table created in the embedded DynamoDB (dynalite, in memory, 127.0.0.1), the function
 * pointed at it, and copies of one key delivered through the emulator take effect once;
 * then the same through `runDev` (`sluice dev`), whose `--watch` prints the endpoint.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  localClientConfig, localDynamoDbConfig, provisionApp, runDev, startEmbeddedDynamoDb, startEmbeddedServer, startLocalFunctions,
} from '../../lib/local/index.ts';
import type { DevSummary, EmbeddedDynamoDb, EmbeddedServer, LocalFunctions, ProvisionedApp, Reporter } from '../../lib/local/index.ts';
import { readAppModel, synthesizeApp } from '../../lib/local/model/index.ts';
import type { AppModel, SynthesizedApp } from '../../lib/local/model/index.ts';
import { buildIdempotencyApp } from '../fixtures/local-app/idempotency-app.ts';
import { waitFor } from '../helpers/wait-for.ts';

let synthesized: SynthesizedApp;
let model: AppModel;
let server: EmbeddedServer;
let dynamoDb: EmbeddedDynamoDb;
let app: ProvisionedApp;
let local: LocalFunctions | undefined;
let sqs: SQSClient;
const effects: string[] = [];

beforeAll(async () => {
  synthesized = synthesizeApp({ build: buildIdempotencyApp });
  model = readAppModel(synthesized.assemblyDir);
  server = await startEmbeddedServer({ port: 0 });
  dynamoDb = await startEmbeddedDynamoDb({ port: 0, region: server.region });
  app = await provisionApp(model, server, { dynamoDb, visibilityScale: 0.02 });
  sqs = new SQSClient(localClientConfig(server));
});
afterAll(async () => {
  await local?.stop();
  sqs.destroy();
  await dynamoDb.stop();
  await server.stop();
  synthesized.cleanup();
});

describe('sluice dev with an idempotency table', () => {
  it('reads the table from the template and creates it in the embedded DynamoDB on 127.0.0.1', () => {
    expect(model.tables).toEqual([expect.objectContaining({
      path: 'Orders/IdempotencyTable', keys: [{ name: 'id', keyType: 'HASH' }], attributeTypes: { id: 'S' }, timeToLiveAttribute: 'expiration',
    })]);
    expect(dynamoDb.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(app.tables.map((t) => t.name)).toEqual([model.tables![0]!.name]);
  });

  it('points the function at the local table and endpoint', () => {
    const env = app.functionEnvironment(model.functions[0]!);
    expect(env.SLUICE_IDEMPOTENCY_TABLE).toBe(app.tables[0]!.name);
    expect(env.AWS_ENDPOINT_URL_DYNAMODB).toBe(dynamoDb.endpoint);
  });

  it('takes effect once per key for copies delivered in the same and in later batches', async () => {
    local = startLocalFunctions(app, {
      onLog: (_fn, line) => {
        if (line.startsWith('{"effect"')) effects.push((JSON.parse(line) as { effect: string }).effect);
      },
    });
    const queue = app.queue(model.eventSourceMappings[0]!.queue);
    const send = (orderIds: string[]) => sqs.send(new SendMessageBatchCommand({
      QueueUrl: queue.url, Entries: orderIds.map((orderId, i) => ({ Id: `e${i}`, MessageBody: JSON.stringify({ orderId }) })),
    }));
    await send(['o-1', 'o-1', 'o-2']);
    await waitFor(() => effects.length >= 2, 30_000, 'the first effects');
    await send(['o-1', 'o-2', 'o-3']);
    const drained = async (): Promise<boolean> => {
      const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
      return Attributes?.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0';
    };
    await waitFor(async () => effects.length >= 3 && await drained(), 60_000, 'the queue to drain');
    expect(effects.sort()).toEqual(['o-1', 'o-2', 'o-3']);
    const emulator = local.functions[0]!.emulators[0]!;
    expect(emulator.ids.succeeded.size).toBe(6);

    const client = new DynamoDBClient(localDynamoDbConfig(dynamoDb));
    try {
      const { Items = [] } = await client.send(new ScanCommand({ TableName: app.tables[0]!.name }));
      expect(Items.map((i) => [i.id?.S, i.status?.S]).sort()).toEqual(
        ['o-1', 'o-2', 'o-3'].map((k) => [`${model.functions[0]!.name}#${k}`, 'COMPLETED']),
      );
    } finally {
      client.destroy();
    }
  });
});

describe('runDev with an idempotency table', () => {
  it('starts the embedded DynamoDB, drains copies of one key with one effect, and prints its endpoint with --watch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-idempotency-dev-'));
    const events = join(dir, 'events.jsonl');
    writeFileSync(events, ['o-1', 'o-1', 'o-2', 'o-1'].map((orderId) => JSON.stringify({ to: 'Orders', message: { orderId } })).join('\n'));
    const lines: string[] = [];
    const errors: string[] = [];
    const stop = new AbortController();
    const reporter: Reporter = {
      info: (line) => {
        lines.push(line);
        if (line.startsWith('Watching:')) setImmediate(() => stop.abort());
      },
      warn: (line) => errors.push(line),
      error: (line) => errors.push(line),
      table: () => {},
      progress: () => ({ update: () => {}, stop: () => {} }),
    };
    const summaryJson = join(dir, 'summary.json');
    const code = await runDev({ build: buildIdempotencyApp, events: [events], watch: true, hotReload: false, signal: stop.signal, logDir: dir, summaryJson, reporter, drainTimeoutMs: 60_000 });
    expect(errors).toEqual([]);
    expect(code).toBe(0);
    const summary = JSON.parse(readFileSync(summaryJson, 'utf8')) as DevSummary;
    expect(summary).toMatchObject({ published: 4, processed: 4, lost: 0, drained: true });
    const log = readFileSync(join(dir, 'Orders.log'), 'utf8');
    expect(log.match(/"effect":"o-1"/g)).toHaveLength(1);
    expect(log.match(/"effect":"o-2"/g)).toHaveLength(1);
    const endpoint = lines.find((l) => l.startsWith('Embedded DynamoDB: '));
    expect(endpoint).toMatch(/^Embedded DynamoDB: http:\/\/127\.0\.0\.1:\d+ \(in memory\)$/);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}DynamoDB endpoint http:\/\/127\.0\.0\.1:\d+, region /));
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}table IdempotencyStack-Orders-IdempotencyTable$/));
  });
});
