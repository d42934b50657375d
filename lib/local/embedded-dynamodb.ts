/**
 * The embedded DynamoDB: dynalite, in memory, started in-process on a loopback address.
 * It answers the DynamoDB API itself, so a function's store makes the same SDK calls as in
 * AWS (conditional writes included). Tables of the app are created in it with their keys
 * and indexes; dynalite has no TTL sweeper, which Sluice's store does not need (its
 * conditions compare expiry times themselves).
 */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CreateTableCommandInput, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { assertLoopbackUrl, clientConfig } from '../sqs/index.ts';
import type { ClientConfig } from '../sqs/index.ts';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './embedded-server.ts';
import type { TableIndexModel, TableKeyModel, TableModel } from './model/index.ts';
import { LocalRuntimeError } from './errors.ts';
import { baseUrlOf, checkListenAddress } from './listen-address.ts';

/** Options of {@link startEmbeddedDynamoDb}. */
export interface EmbeddedDynamoDbOptions {
  /**
   * TCP port to listen on.
   * @default 0 (a free port chosen by the OS)
   */
  readonly port?: number;
  /**
   * Loopback address to listen on.
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /**
   * Region of the table ARNs and of the SDK clients.
   * @default 'us-east-1'
   */
  readonly region?: string;
}

/** A running embedded DynamoDB. */
export interface EmbeddedDynamoDb {
  /** Base URL for any DynamoDB client, e.g. `http://127.0.0.1:41235`. */
  readonly endpoint: string;
  readonly region: string;
  readonly port: number;
  /** Closes the server and its connections; the tables are gone. */
  stop(): Promise<void>;
}

/** A table created in the embedded DynamoDB. */
export interface LocalTable {
  readonly model: TableModel;
  readonly name: string;
  readonly arn: string;
}

/**
 * Starts dynalite in this process, in memory, on a loopback address.
 *
 * @throws Error when `host` is not a loopback address or the port cannot be bound.
 * @example
 * const db = await startEmbeddedDynamoDb();
 * const client = new DynamoDBClient(localDynamoDbConfig(db));
 * // ...
 * await db.stop();
 */
export async function startEmbeddedDynamoDb(opts: EmbeddedDynamoDbOptions = {}): Promise<EmbeddedDynamoDb> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  const region = opts.region ?? LOCAL_REGION;
  checkListenAddress('Embedded DynamoDB', host, port);
  // Tables are ACTIVE at once (dynalite's default keeps them CREATING for 500 ms).
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: baseUrlOf(address),
    region,
    port: address.port,
    stop(): Promise<void> {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive connections of SDK clients would hold the close up.
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}

/**
 * SDK client settings for the embedded DynamoDB: its endpoint and region, dummy credentials.
 *
 * @throws Error when the endpoint is not on a loopback address.
 */
export function localDynamoDbConfig(db: Pick<EmbeddedDynamoDb, 'endpoint' | 'region'>): ClientConfig {
  assertLoopbackUrl(db.endpoint);
  return clientConfig(db.region, db.endpoint, true);
}

const keySchema = (keys: readonly TableKeyModel[]): KeySchemaElement[] => keys.map((k) => ({ AttributeName: k.name, KeyType: k.keyType }));
const index = (i: TableIndexModel): { IndexName: string; KeySchema: KeySchemaElement[]; Projection: Record<string, unknown> } =>
  ({ IndexName: i.name, KeySchema: keySchema(i.keys), Projection: { ...i.projection } });

/** The `CreateTable` request of a table of the app (on-demand: capacity means nothing locally). */
export function createTableInput(table: TableModel): CreateTableCommandInput {
  const used = new Set([...table.keys, ...table.globalSecondaryIndexes.flatMap((i) => i.keys), ...table.localSecondaryIndexes.flatMap((i) => i.keys)].map((k) => k.name));
  return {
    TableName: table.name,
    KeySchema: keySchema(table.keys),
    // DynamoDB accepts only the attributes that some key uses.
    AttributeDefinitions: [...used].map((name) => ({ AttributeName: name, AttributeType: (table.attributeTypes[name] ?? 'S') as 'S' | 'N' | 'B' })),
    BillingMode: 'PAY_PER_REQUEST',
    ...(table.globalSecondaryIndexes.length > 0 ? { GlobalSecondaryIndexes: table.globalSecondaryIndexes.map(index) } : {}),
    ...(table.localSecondaryIndexes.length > 0 ? { LocalSecondaryIndexes: table.localSecondaryIndexes.map(index) } : {}),
  } as CreateTableCommandInput;
}

/**
 * Creates the app's tables in the embedded DynamoDB.
 *
 * @throws Error when two tables resolve to the same local name, or the server rejects one.
 */
export async function createLocalTables(tables: readonly TableModel[], db: Pick<EmbeddedDynamoDb, 'endpoint' | 'region'>): Promise<LocalTable[]> {
  const names = new Set<string>();
  for (const t of tables) {
    if (names.has(t.name)) throw new LocalRuntimeError(`Two tables of the app resolve to the local name '${t.name}'.`);
    names.add(t.name);
  }
  const client = new DynamoDBClient(localDynamoDbConfig(db));
  try {
    const created: LocalTable[] = [];
    for (const t of tables) {
      const out = await client.send(new CreateTableCommand(createTableInput(t)));
      created.push({ model: t, name: t.name, arn: out.TableDescription?.TableArn ?? `arn:aws:dynamodb:${db.region}:${LOCAL_ACCOUNT_ID}:table/${t.name}` });
    }
    return created;
  } finally {
    client.destroy();
  }
}
