/**
 * The template reader's DynamoDB tables (`AWS::DynamoDB::Table` and `AWS::DynamoDB::GlobalTable`)
 * and their creation in the embedded DynamoDB, with keys, indexes and local names; references
 * to them resolve to the local table.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localDynamoDbConfig, provisionApp, startEmbeddedDynamoDb, startEmbeddedServer } from '../../lib/local/index.ts';
import type { EmbeddedDynamoDb, EmbeddedServer, ProvisionedApp } from '../../lib/local/index.ts';
import { readAppModel, synthesizeApp } from '../../lib/local/model/index.ts';
import type { AppModel, SynthesizedApp } from '../../lib/local/model/index.ts';
import { bundleFixture } from '../helpers/local-runtime.ts';

let synthesized: SynthesizedApp;
let model: AppModel;
let server: EmbeddedServer;
let db: EmbeddedDynamoDb;
let app: ProvisionedApp;

beforeAll(async () => {
  const assetDir = await bundleFixture('noop');
  synthesized = synthesizeApp({
    build: ({ outdir, context }) => {
      const cdkApp = new App({ outdir, context });
      const stack = new Stack(cdkApp, 'TablesStack', { env: { account: '123456789012', region: 'eu-west-1' } });
      const classic = new dynamodb.Table(stack, 'Classic', {
        tableName: 'classic-orders',
        partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'sk', type: dynamodb.AttributeType.NUMBER },
        timeToLiveAttribute: 'ttl',
      });
      classic.addGlobalSecondaryIndex({ indexName: 'byCustomer', partitionKey: { name: 'customer', type: dynamodb.AttributeType.STRING } });
      classic.addLocalSecondaryIndex({ indexName: 'byTotal', sortKey: { name: 'total', type: dynamodb.AttributeType.NUMBER } });
      const v2 = new dynamodb.TableV2(stack, 'Sessions', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
      new lambda.Function(stack, 'Reader', {
        runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromAsset(assetDir),
        environment: { CLASSIC: classic.tableName, CLASSIC_ARN: classic.tableArn, SESSIONS: v2.tableName },
      });
      return cdkApp;
    },
  });
  model = readAppModel(synthesized.assemblyDir);
  server = await startEmbeddedServer();
  db = await startEmbeddedDynamoDb({ region: server.region });
  app = await provisionApp(model, server, { dynamoDb: db });
});
afterAll(async () => {
  await db.stop();
  await server.stop();
  synthesized.cleanup();
});

describe('local DynamoDB tables', () => {
  it('reads both table types with keys, attribute types, indexes and TTL', () => {
    const classic = model.tables!.find((t) => t.path === 'Classic')!;
    expect(classic).toMatchObject({
      name: 'classic-orders',
      keys: [{ name: 'pk', keyType: 'HASH' }, { name: 'sk', keyType: 'RANGE' }],
      attributeTypes: { pk: 'S', sk: 'N', customer: 'S', total: 'N' },
      globalSecondaryIndexes: [{ name: 'byCustomer', keys: [{ name: 'customer', keyType: 'HASH' }], projection: { ProjectionType: 'ALL' } }],
      localSecondaryIndexes: [{ name: 'byTotal', keys: [{ name: 'pk', keyType: 'HASH' }, { name: 'total', keyType: 'RANGE' }] }],
      timeToLiveAttribute: 'ttl',
    });
    const sessions = model.tables!.find((t) => t.path === 'Sessions')!;
    expect(sessions).toMatchObject({ name: 'TablesStack-Sessions', keys: [{ name: 'id', keyType: 'HASH' }] });
    expect(sessions.timeToLiveAttribute).toBeUndefined();
  });

  it('creates them in the embedded DynamoDB, as the template defines them', async () => {
    const client = new DynamoDBClient(localDynamoDbConfig(db));
    try {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: 'classic-orders' }));
      expect(Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
      expect(Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['byCustomer']);
      expect(Table?.LocalSecondaryIndexes?.map((i) => i.IndexName)).toEqual(['byTotal']);
      expect((await client.send(new DescribeTableCommand({ TableName: 'TablesStack-Sessions' }))).Table?.TableStatus).toBe('ACTIVE');
    } finally {
      client.destroy();
    }
  });

  it('resolves references to the tables to their local names and ARNs, and sets the DynamoDB endpoint', () => {
    const env = app.functionEnvironment(model.functions[0]!);
    expect(env).toMatchObject({
      CLASSIC: 'classic-orders',
      CLASSIC_ARN: app.tables.find((t) => t.name === 'classic-orders')!.arn,
      SESSIONS: 'TablesStack-Sessions',
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    });
    expect(env.CLASSIC_ARN).toMatch(/^arn:aws:dynamodb:us-east-1:\d{12}:table\/classic-orders$/);
  });
});
