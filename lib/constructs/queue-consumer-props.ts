/**
 * Props of {@link QueueConsumer}: its own settings, and the pass-through props for what it
 * does not manage (`functionProps`, `queueProps`, `eventSourceProps`).
 */
import type { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { SqsEventSourceProps } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { BundlingOptions, NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { EventFilter } from './event-filters.ts';
import type { QueueConsumerIdempotencyProps } from './queue-consumer-idempotency.ts';
import type {
  MANAGED_BUNDLING_OPTIONS,
  MANAGED_EVENT_SOURCE_PROPS,
  MANAGED_FUNCTION_PROPS,
  MANAGED_QUEUE_PROPS,
} from './queue-consumer-pass-through.ts';

/** How a consumer's queues are encrypted at rest. */
export const QueueConsumerEncryption = {
  /** SSE-SQS: SQS-owned keys, no KMS cost; SNS can deliver to it as it is. */
  SQS_MANAGED: 'SQS_MANAGED',
  /** SSE-KMS with a customer managed key (`encryptionKey`, or one the construct creates). */
  KMS: 'KMS',
} as const;
/** How a consumer's queues are encrypted at rest. */
export type QueueConsumerEncryption = (typeof QueueConsumerEncryption)[keyof typeof QueueConsumerEncryption];

/** Provisioned mode of the SQS event source mapping. */
export interface ProvisionedPollersProps {
  /**
   * Pollers kept ready at all times (2..200).
   * @default 2
   */
  readonly minimumPollers?: number;
  /**
   * Pollers the mapping may scale up to (2..2000).
   * @default 200
   */
  readonly maximumPollers?: number;
}

/** Alarm settings of a {@link QueueConsumer}. */
export interface QueueConsumerAlarmsProps {
  /**
   * Topic that receives every alarm's state changes (alarm and OK). A KMS-encrypted
   * topic needs a key policy that lets CloudWatch use its key.
   * @default - alarms have no actions
   */
  readonly alarmTopic?: ITopic;
  /**
   * Age of the oldest message in the main queue above which the backlog alarm fires.
   * @default Duration.minutes(15)
   */
  readonly oldestMessageAgeThreshold?: Duration;
}

/** Properties of a {@link QueueConsumer}. */
export interface QueueConsumerProps {
  /** Path to the handler module bundled into the function; it must export `handler`. */
  readonly entry: string;
  /**
   * Function timeout (1 s to 15 min). The queue visibility timeout is derived from it.
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * Function memory in MiB (128..10240); CPU scales with it.
   * @default 256
   */
  readonly memorySize?: number;
  /**
   * Records per invocation: 1..10 for FIFO, 1..10 for standard without a batching
   * window, up to 10,000 with one.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Longest time to gather records before invoking (0..300 s; not on FIFO queues).
   * @default - none: invoke as soon as records arrive
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent invocations this event source starts (2..1000). Cannot be combined
   * with `provisionedPollers`.
   * @default - no limit beyond the function's and the account's concurrency
   */
  readonly maxConcurrency?: number;
  /**
   * Provisioned mode: pollers kept ready for spiky traffic. Cannot be combined with
   * `maxConcurrency`.
   * @default - on-demand polling
   */
  readonly provisionedPollers?: ProvisionedPollersProps;
  /**
   * A FIFO queue (and FIFO dead-letter queue); records of one message group are
   * processed in order.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * FIFO only: the queue deduplicates by a SHA-256 of the body when a sender gives no
   * deduplication id (SNS FIFO topics always give one).
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;
  /**
   * Receives before SQS moves a message to the dead-letter queue (1..1000; below 5 a
   * warning, as AWS recommends at least 5).
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Encryption of the queue and its dead-letter queue.
   * @default - `SQS_MANAGED`, or `KMS` when `encryptionKey` is given
   */
  readonly encryption?: QueueConsumerEncryption;
  /**
   * Customer managed key for `KMS` encryption. Never pass the key of a topic that
   * delivers to this queue (a dependency cycle CloudFormation rejects).
   * @default - with `KMS`, a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Extra environment of the function. `SLUICE_DLQ_URL` and `SLUICE_QUEUE_URL` (and with
   * `idempotency`, `SLUICE_IDEMPOTENCY_TABLE` and `SLUICE_IDEMPOTENCY_EXPIRES_AFTER_SECONDS`)
   * are set by the construct and may not be given.
   * @default - only the Sluice variables
   */
  readonly environment?: Record<string, string>;
  /**
   * Alarm settings.
   * @default - the three alarms with default thresholds and no actions
   */
  readonly alarms?: QueueConsumerAlarmsProps;
  /**
   * Idempotency across deliveries (README "Idempotency"): a DynamoDB table for the runtime's
   * `dynamoDbStore()` (partition key `id`, TTL attribute `expiration`, on-demand, encrypted,
   * point-in-time recovery), exactly `GetItem`, `PutItem`, `UpdateItem` and `DeleteItem` on
   * it for the function, and `SLUICE_IDEMPOTENCY_TABLE` (plus
   * `SLUICE_IDEMPOTENCY_EXPIRES_AFTER_SECONDS` with `expiresAfter`). The handler opts in with
   * `idempotency: { store: dynamoDbStore() }` from `sluice/idempotency`.
   * @default - no table
   */
  readonly idempotency?: true | QueueConsumerIdempotencyProps;
  /**
   * Directory that holds the lock file and `node_modules` used to bundle `entry`.
   * @default - the directory of `depsLockFilePath`
   */
  readonly projectRoot?: string;
  /**
   * Lock file of the project (`package-lock.json`).
   * @default - found by walking up from the current directory
   */
  readonly depsLockFilePath?: string;
  /**
   * Lambda event filters of the event source mapping (at most 5, Lambda's default quota
   * per mapping; an account with a raised quota sets the `sluice:eventFilterQuota`
   * context, up to 10). Patterns match the message body only: `{ body: { … } }` (Lambda
   * rejects any other key for SQS). Filters are ORed; a message matching none is **deleted
   * from the queue**: it is not retried, not dead-lettered and never reaches the function,
   * the runtime or the alarms.
   *
   * The body is what SNS delivered: without `rawMessageDelivery` an SNS envelope, whose
   * `Message` is a string that patterns cannot look into. Filter those on the subscription
   * (`filterPolicyWithMessageBody`) instead, or turn on raw delivery.
   *
   * @example
   * filters: [lambda.FilterCriteria.filter({ body: { type: lambda.FilterRule.isEqual('UserRegistered') } })]
   * @default - every message is delivered to the function
   */
  readonly filters?: readonly EventFilter[];
  /**
   * Metrics of the event source mapping (`[lambda.MetricType.EVENT_COUNT]`, the one kind an
   * SQS source produces): polled, filtered-out, invoked, failed and deleted message counts.
   * @default - no event source mapping metrics
   */
  readonly metricsConfig?: lambda.MetricsConfig;
  /**
   * More settings of the function: VPC, layers, reserved concurrency, tracing, logging,
   * architecture, description, extra `bundling` options, …  The keys QueueConsumer sets
   * itself fail at synth (see {@link QueueConsumerFunctionProps}).
   * @default - none: the construct's own settings only
   */
  readonly functionProps?: QueueConsumerFunctionProps;
  /**
   * More settings of the main queue: retention, delivery delay, maximum message size, name,
   * … (`removalPolicy` applies to both queues). The keys QueueConsumer sets itself fail at
   * synth (see {@link QueueConsumerQueueProps}).
   * @default - none: the construct's own settings only
   */
  readonly queueProps?: QueueConsumerQueueProps;
  /**
   * More settings of the event source mapping: `enabled`, `filterEncryption`. The keys
   * QueueConsumer sets itself fail at synth (see {@link QueueConsumerEventSourceProps}).
   * @default - none: the construct's own settings only
   */
  readonly eventSourceProps?: QueueConsumerEventSourceProps;
}

/**
 * esbuild options of the consumer function, over the construct's defaults
 * (`BUNDLING_DEFAULTS`). `externalModules` is merged (`@aws-sdk/*` stays external) and
 * `banner` is appended to the construct's `require` shim; every other option replaces its
 * default, except `format` and `bundleAwsSDK`, which fail at synth.
 */
export type QueueConsumerBundlingOptions = Omit<BundlingOptions, keyof typeof MANAGED_BUNDLING_OPTIONS>;

/**
 * `NodejsFunctionProps` that a {@link QueueConsumer} passes through to its function.
 *
 * Omitted, and rejected at synth when given anyway: `entry`, `timeout`, `memorySize`,
 * `environment`, `projectRoot`, `depsLockFilePath` (QueueConsumer's own props), `code`,
 * `handler`, `runtime`, `role` (least privilege), `durableConfig`, the asynchronous
 * invocation settings (`deadLetterQueue*`, `deadLetterTopic`, `onFailure`, `onSuccess`,
 * `maxEventAge`, `retryAttempts`: the mapping invokes synchronously) and the log-retention
 * resource settings (`logRemovalPolicy`, `logRetentionRole`, `logRetentionRetryOptions`).
 *
 * `logRetention` sets the retention of the construct's log group; `logGroup` replaces that
 * log group (the function may then write to yours). With `vpc`, the role gets the network
 * interface permissions Lambda needs; the function then reaches SQS (visibility changes,
 * dead-letter sends) only through a NAT gateway or an SQS interface endpoint.
 */
export type QueueConsumerFunctionProps = Omit<NodejsFunctionProps, keyof typeof MANAGED_FUNCTION_PROPS | 'bundling'> & {
  /**
   * Extra esbuild options, merged with the construct's defaults.
   * @default - the construct's defaults (`BUNDLING_DEFAULTS`)
   */
  readonly bundling?: QueueConsumerBundlingOptions;
};

/**
 * `QueueProps` that a {@link QueueConsumer} passes through to its main queue (and
 * `removalPolicy` to both queues). Omitted, and rejected at synth when given anyway:
 * `visibilityTimeout` (derived), `deadLetterQueue` (the construct's), `encryption`,
 * `encryptionMasterKey`, `fifo`, `contentBasedDeduplication` (QueueConsumer's own props)
 * and `enforceSSL` (always on).
 */
export type QueueConsumerQueueProps = Omit<sqs.QueueProps, keyof typeof MANAGED_QUEUE_PROPS>;

/**
 * `SqsEventSourceProps` that a {@link QueueConsumer} passes through to its event source
 * (`enabled`, `filterEncryption`). Omitted, and rejected at synth when given anyway:
 * `reportBatchItemFailures` (always on) and the settings that are QueueConsumer's own props.
 */
export type QueueConsumerEventSourceProps = Omit<SqsEventSourceProps, keyof typeof MANAGED_EVENT_SOURCE_PROPS>;

