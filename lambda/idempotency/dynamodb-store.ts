/**
 * `dynamoDbStore()`: the claim state machine on a DynamoDB table (partition key `id`,
 * TTL attribute `expiration`), as `QueueConsumer({ idempotency })` creates it. A claim is
 * one conditional `PutItem`, completion one `UpdateItem`, release one conditional
 * `DeleteItem`. `@aws-sdk/client-dynamodb` is imported on first use: the Lambda runtime
 * provides it, so it stays out of the bundle.
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConfigError, SLUICE_ENV } from '../runtime/index.ts';
import { idempotencyStore } from './guard.ts';
import { blockedBy, blocks, claimItem } from './claim-rules.ts';
import { IdempotencyStatus } from './types.ts';
import type { Claim, ClaimResult, ClaimTimes, Clock, IdempotencyItem, IdempotencyStore } from './types.ts';

/** The slice of a `DynamoDBClient` the store uses (a real client, or one wrapped in tests). */
export type DynamoDbClientLike = Pick<DynamoDBClient, 'send'>;

/** Options of {@link dynamoDbStore}. */
export interface DynamoDbStoreOptions {
  /**
   * The table name, or `'auto'`: the `SLUICE_IDEMPOTENCY_TABLE` variable, which
   * `QueueConsumer({ idempotency })` sets (unset → `ConfigError` when the handler is created).
   * @default 'auto'
   */
  readonly table?: string;
  /**
   * The client, e.g. one with your own retry settings.
   * @default - a `DynamoDBClient` made on first use, with `region` and `endpoint`
   */
  readonly client?: DynamoDbClientLike;
  /**
   * Endpoint of the client the store makes.
   * @default - the SDK's: `AWS_ENDPOINT_URL_DYNAMODB` (set by `sluice dev` to its embedded DynamoDB), else AWS
   */
  readonly endpoint?: string;
  /**
   * Region of the client the store makes.
   * @default - the SDK's (`AWS_REGION`)
   */
  readonly region?: string;
  /**
   * The clock, in epoch milliseconds (its conditions compare with it).
   * @default Date.now
   */
  readonly now?: Clock;
}

/** Attribute names in expressions (`status` is a DynamoDB reserved word). */
const NAMES = { '#id': 'id', '#status': 'status', '#expiration': 'expiration', '#inProgressExpiry': 'inProgressExpiry' } as const;

/** Claims when the key is absent, expired, or an expired in-progress claim (README "Idempotency"). */
const CLAIM_CONDITION = 'attribute_not_exists(#id) OR #expiration < :nowSeconds OR (#status = :inProgress AND #inProgressExpiry < :nowMs)';

/** Claim attempts when the blocking item is gone, or expired, by the time it is read. */
const CLAIM_ATTEMPTS = 3;

const n = (value: number): AttributeValue => ({ N: String(value) });
const s = (value: string): AttributeValue => ({ S: value });

function isConditionFailure(error: unknown): error is { Item?: Record<string, AttributeValue> } {
  return (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';
}

/** An item read back from the table, or `undefined` when it is not one of ours. */
export function itemOf(record: Record<string, AttributeValue> | undefined): IdempotencyItem | undefined {
  const id = record?.id?.S;
  const status = record?.status?.S;
  const expiration = Number(record?.expiration?.N);
  const inProgressExpiry = Number(record?.inProgressExpiry?.N ?? 0);
  if (id === undefined || (status !== IdempotencyStatus.IN_PROGRESS && status !== IdempotencyStatus.COMPLETED) || !Number.isFinite(expiration)) return undefined;
  return { id, status, expiration, inProgressExpiry };
}

/**
 * An idempotency store on a DynamoDB table.
 *
 * @param options - the table (default `'auto'`: `SLUICE_IDEMPOTENCY_TABLE`), client, endpoint, region, clock
 * @returns a store for `idempotency.store`
 * @throws {ConfigError} from a claim, when `table` is `'auto'` and the variable is unset (the
 *   handler reports it when it is created)
 * @example
 * import { sqsHandler } from 'sluice';
 * import { dynamoDbStore } from 'sluice/idempotency';
 *
 * export const handler = sqsHandler({
 *   schema: UserRegistered,
 *   idempotency: { store: dynamoDbStore(), key: (user) => user.userId },
 *   async handle(user) { await createUser(user); },
 * });
 */
export function dynamoDbStore(options: DynamoDbStoreOptions = {}): IdempotencyStore {
  const now = options.now ?? Date.now;
  const configured = options.table ?? 'auto';
  const tableProblem = (): string | undefined => {
    if (configured !== 'auto') return configured.length > 0 ? undefined : 'idempotency.store: dynamoDbStore() table: received ""; allowed: a table name, or "auto"';
    return process.env[SLUICE_ENV.IDEMPOTENCY_TABLE]
      ? undefined
      : `idempotency.store: dynamoDbStore() table "auto": ${SLUICE_ENV.IDEMPOTENCY_TABLE} is not set; allowed: a table name, or "auto" with ${SLUICE_ENV.IDEMPOTENCY_TABLE} set (QueueConsumer's idempotency prop sets it)`;
  };
  let table: string | undefined;
  const tableName = (): string => {
    if (table !== undefined) return table;
    const problem = tableProblem();
    if (problem !== undefined) throw new ConfigError([problem]);
    return (table = configured === 'auto' ? process.env[SLUICE_ENV.IDEMPOTENCY_TABLE]! : configured);
  };

  let sdk: Promise<typeof import('@aws-sdk/client-dynamodb')> | undefined;
  const commands = (): Promise<typeof import('@aws-sdk/client-dynamodb')> => {
    sdk ??= import('@aws-sdk/client-dynamodb');
    // A failed import is not kept: the next record tries again.
    sdk.catch(() => { sdk = undefined; });
    return sdk;
  };
  let client: DynamoDbClientLike | undefined = options.client;
  const clientOf = async (): Promise<DynamoDbClientLike> => {
    if (client !== undefined) return client;
    const { DynamoDBClient: Client } = await commands();
    client ??= new Client({ ...(options.region ? { region: options.region } : {}), ...(options.endpoint ? { endpoint: options.endpoint } : {}) });
    return client;
  };

  const read = async (TableName: string, id: string): Promise<IdempotencyItem | undefined> => {
    const [c, { GetItemCommand }] = await Promise.all([clientOf(), commands()]);
    const out = await c.send(new GetItemCommand({ TableName, Key: { id: s(id) }, ConsistentRead: true }));
    return itemOf(out.Item);
  };

  return idempotencyStore({
    async claim(id: string, times: ClaimTimes): Promise<ClaimResult> {
      const TableName = tableName();
      const [c, { PutItemCommand }] = await Promise.all([clientOf(), commands()]);
      for (let attempt = 1; ; attempt++) {
        const t = now();
        const item = claimItem(id, times, t);
        try {
          await c.send(new PutItemCommand({
            TableName,
            Item: { id: s(id), status: s(item.status), expiration: n(item.expiration), inProgressExpiry: n(item.inProgressExpiry) },
            ConditionExpression: CLAIM_CONDITION,
            ExpressionAttributeNames: NAMES,
            ExpressionAttributeValues: { ':nowSeconds': n(Math.floor(t / 1000)), ':nowMs': n(t), ':inProgress': s(IdempotencyStatus.IN_PROGRESS) },
            // AWS returns the blocking item with the failure; where a server does not, it is read.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }));
          return { status: 'claimed', inProgressExpiry: item.inProgressExpiry };
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
          const holder = itemOf(error.Item) ?? await read(TableName, id);
          if (holder !== undefined && blocks(holder, now())) return blockedBy(holder);
          // Released or expired in between: claim again, a bounded number of times.
          if (attempt >= CLAIM_ATTEMPTS) return { status: 'in-progress', inProgressExpiry: holder?.inProgressExpiry ?? t };
        }
      }
    },
    async complete(id: string, expiresAfterSeconds: number): Promise<void> {
      const TableName = tableName();
      const [c, { UpdateItemCommand }] = await Promise.all([clientOf(), commands()]);
      await c.send(new UpdateItemCommand({
        TableName,
        Key: { id: s(id) },
        UpdateExpression: 'SET #status = :completed, #expiration = :expiration',
        ExpressionAttributeNames: { '#status': NAMES['#status'], '#expiration': NAMES['#expiration'] },
        ExpressionAttributeValues: { ':completed': s(IdempotencyStatus.COMPLETED), ':expiration': n(Math.floor(now() / 1000) + expiresAfterSeconds) },
      }));
    },
    async release(id: string, claim: Claim): Promise<void> {
      const TableName = tableName();
      const [c, { DeleteItemCommand }] = await Promise.all([clientOf(), commands()]);
      try {
        await c.send(new DeleteItemCommand({
          TableName,
          Key: { id: s(id) },
          // Only this invocation's claim: one that expired and was claimed again stays.
          ConditionExpression: '#status = :inProgress AND #inProgressExpiry = :mine',
          ExpressionAttributeNames: { '#status': NAMES['#status'], '#inProgressExpiry': NAMES['#inProgressExpiry'] },
          ExpressionAttributeValues: { ':inProgress': s(IdempotencyStatus.IN_PROGRESS), ':mine': n(claim.inProgressExpiry) },
        }));
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
  }, (problems) => {
    const problem = tableProblem();
    if (problem !== undefined) problems.push(problem);
    // The handler is created in the init phase: load the SDK and make the client there, not
    // in the first invocation (a failure here is retried by the first claim).
    else clientOf().catch(() => undefined);
  });
}
