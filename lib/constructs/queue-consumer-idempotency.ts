/**
 * The idempotency table of a {@link QueueConsumer} (README "Idempotency"): the `idempotency` prop, its
 * checks, and the table, grant and environment it adds to the consumer.
 */
import { Duration } from 'aws-cdk-lib';
import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { IDEMPOTENCY_EXPIRES_AFTER_ENV, SLUICE_ENV } from '../../lambda/runtime/contract.ts';
import type { OptionRule } from '../../lambda/runtime/index.ts';

/** The `idempotency` prop of a `QueueConsumer`, when it is an object. */
export interface QueueConsumerIdempotencyProps {
  /**
   * A table of your own: partition key `id` (string), TTL attribute `expiration`. The
   * function is granted `GetItem`, `PutItem`, `UpdateItem` and `DeleteItem` on it (and the
   * use of its customer managed key, if it has one).
   * @default - a new table: on-demand, encrypted with the AWS managed key, point-in-time recovery on
   */
  readonly table?: dynamodb.ITableV2;
  /**
   * How long a completed key stays completed (later copies of its message are not run);
   * sets `SLUICE_IDEMPOTENCY_EXPIRES_AFTER_SECONDS`, the runtime's default for
   * `idempotency.expiresAfterSeconds`. Whole seconds, at least 1 second.
   * @default - the runtime's default, 1 hour
   */
  readonly expiresAfter?: Duration;
}

/** The DynamoDB actions the runtime's `dynamoDbStore()` calls, and no other. */
export const IDEMPOTENCY_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] as const;

/** KMS actions for a table of your own with a customer managed key (what DynamoDB needs of the caller). */
const KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'] as const;

/** Attribute names of the table (the runtime's `dynamoDbStore()` writes them). */
export const IDEMPOTENCY_TABLE_SCHEMA = { partitionKey: 'id', timeToLiveAttribute: 'expiration' } as const;

const isTable = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as { tableArn?: unknown }).tableArn === 'string' && typeof (value as { tableName?: unknown }).tableName === 'string';

/** The rule of the `idempotency` prop, for the props table of `QueueConsumer`. */
export const IDEMPOTENCY_RULE: OptionRule = {
  values: [true],
  type: 'object',
  table: {
    table: { test: isTable, allowed: 'a dynamodb.ITableV2 (partition key "id", TTL attribute "expiration")' },
    expiresAfter: {
      test: (value) => value instanceof Duration && Number.isInteger(value.toSeconds({ integral: false })) && value.toSeconds() >= 1,
      allowed: 'a Duration of whole seconds, at least 1 second',
    },
  },
  allowed: 'true, or { table?, expiresAfter? }',
};

/** Environment variables the construct sets with `idempotency` (a user value would be overwritten). */
export const IDEMPOTENCY_RESERVED_ENV = [SLUICE_ENV.IDEMPOTENCY_TABLE, IDEMPOTENCY_EXPIRES_AFTER_ENV] as const;

/**
 * Adds idempotency to a consumer: the table (unless given), exactly the four item actions
 * on it, and the environment the runtime's `dynamoDbStore()` reads.
 *
 * @returns the table the function uses
 */
export function addIdempotency(
  scope: Construct,
  fn: lambda.Function,
  role: iam.IRole,
  setting: true | QueueConsumerIdempotencyProps,
  removalPolicy: RemovalPolicy | undefined,
): dynamodb.ITableV2 {
  const props = setting === true ? {} : setting;
  const table = props.table ?? new dynamodb.TableV2(scope, 'IdempotencyTable', {
    partitionKey: { name: IDEMPOTENCY_TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
    timeToLiveAttribute: IDEMPOTENCY_TABLE_SCHEMA.timeToLiveAttribute,
    billing: dynamodb.Billing.onDemand(),
    encryption: dynamodb.TableEncryptionV2.awsManagedKey(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    ...(removalPolicy ? { removalPolicy } : {}),
  });
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...IDEMPOTENCY_ACTIONS], resources: [table.tableArn] }));
  if (table.encryptionKey) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...KEY_ACTIONS], resources: [table.encryptionKey.keyArn] }));
  }
  fn.addEnvironment(SLUICE_ENV.IDEMPOTENCY_TABLE, table.tableName);
  if (props.expiresAfter !== undefined) fn.addEnvironment(IDEMPOTENCY_EXPIRES_AFTER_ENV, String(props.expiresAfter.toSeconds()));
  return table;
}
