/**
 * The pass-through props of a {@link QueueConsumer} (`functionProps`, `queueProps`,
 * `eventSourceProps`): which keys the construct controls itself, their synth-time checks,
 * and how they are merged with the construct's own settings.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { AWS_LIMITS } from '../../lambda/runtime/contract.ts';
import type { OptionTable } from '../../lambda/runtime/index.ts';
import { BUNDLING_DEFAULTS, INFRA_LIMITS } from './queue-consumer-defaults.ts';
import type { QueueConsumerProps } from './queue-consumer-props.ts';
import { durationRule, managedTable, type Problems } from './validation.ts';

const OWN = (prop: string, why = ''): string => `nothing here: use QueueConsumer's own \`${prop}\` prop${why ? ` (${why})` : ''}`;
const ASYNC_ONLY =
  'nothing: an asynchronous-invocation setting; the event source mapping invokes synchronously, and failed messages go to the consumer\'s deadLetterQueue';
const LOG_RETENTION_RESOURCE = 'nothing: QueueConsumer creates the log group itself (set functionProps.logRetention, or pass your own functionProps.logGroup)';

/** Keys of `NodejsFunctionProps` that `QueueConsumer` sets itself, each with what to do instead. */
export const MANAGED_FUNCTION_PROPS = {
  entry: OWN('entry'),
  code: 'nothing: QueueConsumer bundles `entry` with esbuild',
  handler: 'nothing: the function runs the `handler` export of `entry`',
  runtime: 'nothing: QueueConsumer runs on nodejs24.x, the runtime Sluice is built for',
  timeout: OWN('timeout', 'the queue visibility timeout is derived from it'),
  memorySize: OWN('memorySize'),
  environment: OWN('environment', 'the construct adds the SLUICE_* variables to it'),
  projectRoot: OWN('projectRoot'),
  depsLockFilePath: OWN('depsLockFilePath'),
  role: 'nothing: QueueConsumer creates a least-privilege role (add statements to consumer.role, or a boundary with iam.PermissionsBoundary.of(consumer))',
  durableConfig: 'nothing: the role QueueConsumer creates has no durable-execution permissions, and an SQS batch is not a durable workflow',
  deadLetterQueue: ASYNC_ONLY,
  deadLetterQueueEnabled: ASYNC_ONLY,
  deadLetterTopic: ASYNC_ONLY,
  onFailure: ASYNC_ONLY,
  onSuccess: ASYNC_ONLY,
  maxEventAge: ASYNC_ONLY,
  retryAttempts: ASYNC_ONLY,
  logRemovalPolicy: LOG_RETENTION_RESOURCE,
  logRetentionRole: LOG_RETENTION_RESOURCE,
  logRetentionRetryOptions: LOG_RETENTION_RESOURCE,
} as const satisfies Record<string, string>;

/** Keys of `BundlingOptions` that `QueueConsumer` sets itself. `externalModules` and `banner` are merged instead. */
export const MANAGED_BUNDLING_OPTIONS = {
  format: 'nothing: bundles are ESM (the Sluice runtime is an ES module, and the require() banner needs import.meta.url)',
  bundleAwsSDK:
    "nothing: '@aws-sdk/*' stays external, the Lambda runtime provides it (to ship a pinned SDK package, list it in functionProps.bundling.nodeModules)",
} as const satisfies Record<string, string>;

/** Keys of `QueueProps` that `QueueConsumer` sets itself. */
export const MANAGED_QUEUE_PROPS = {
  visibilityTimeout: 'nothing: derived from timeout (6 × timeout + maxBatchingWindow)',
  deadLetterQueue: "nothing: QueueConsumer creates the dead-letter queue (set QueueConsumer's maxReceiveCount)",
  encryption: OWN('encryption'),
  encryptionMasterKey: OWN('encryptionKey'),
  fifo: OWN('fifo', 'the dead-letter queue and the runtime follow it'),
  contentBasedDeduplication: OWN('contentBasedDeduplication'),
  enforceSSL: 'nothing: QueueConsumer always denies access without TLS',
} as const satisfies Record<string, string>;

/** Keys of `SqsEventSourceProps` that `QueueConsumer` sets itself. */
export const MANAGED_EVENT_SOURCE_PROPS = {
  batchSize: OWN('batchSize'),
  maxBatchingWindow: OWN('maxBatchingWindow', 'the queue visibility timeout is derived from it'),
  maxConcurrency: OWN('maxConcurrency'),
  provisionedPollerConfig: OWN('provisionedPollers'),
  filters: OWN('filters'),
  metricsConfig: OWN('metricsConfig'),
  reportBatchItemFailures:
    'nothing: always on (the Sluice runtime answers with partial batch responses; without the setting Lambda deletes every message of a batch that returns)',
} as const satisfies Record<string, string>;

/** The require() shim of the default banner; a user banner is appended after it. */
const DEFAULT_BANNER = BUNDLING_DEFAULTS.banner ?? '';

/**
 * The construct's bundling defaults with `bundling` over them: `externalModules` keeps
 * `@aws-sdk/*` (the user's modules are added), `banner` keeps the `require` shim (the
 * user's banner follows it), every other option replaces the default.
 */
export function mergeBundling(bundling: BundlingOptions | undefined): BundlingOptions {
  if (!bundling) return BUNDLING_DEFAULTS;
  const { externalModules, banner, ...rest } = bundling;
  return {
    ...BUNDLING_DEFAULTS,
    ...rest,
    externalModules: [...new Set([...(BUNDLING_DEFAULTS.externalModules ?? []), ...(externalModules ?? [])])],
    banner: banner ? `${DEFAULT_BANNER} ${banner}` : DEFAULT_BANNER,
  };
}

/**
 * What Lambda needs to attach a function to a VPC (the actions of the
 * `AWSLambdaVPCAccessExecutionRole` managed policy, which CDK adds only to roles it creates).
 * EC2 grants the network-interface actions on `*` only.
 */
export function vpcAccessStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ],
    resources: ['*'],
  });
}

const ONLY_FIFO = { allowed: 'only on a FIFO queue (fifo: true)' };

/**
 * The table of the pass-through props of `props`: the keys the construct sets itself admit
 * no value, the queue's ranges are SQS's, and some keys need another prop.
 */
export function passThroughPropsTable(props: QueueConsumerProps): OptionTable {
  const fifo = props.fifo ?? false;
  const kms = props.encryption === 'KMS' || props.encryptionKey !== undefined;
  return {
    functionProps: {
      type: 'object',
      table: {
        ...managedTable(MANAGED_FUNCTION_PROPS),
        bundling: { type: 'object', table: managedTable(MANAGED_BUNDLING_OPTIONS) },
        ...(props.functionProps?.logGroup
          ? { logRetention: { allowed: 'nothing when functionProps.logGroup is given (set the retention on your log group)' } }
          : {}),
      },
    },
    queueProps: {
      type: 'object',
      table: {
        ...managedTable(MANAGED_QUEUE_PROPS),
        retentionPeriod: durationRule(INFRA_LIMITS.minRetentionSeconds, INFRA_LIMITS.maxRetentionSeconds, '1 minute to 14 days'),
        deliveryDelay: durationRule(0, INFRA_LIMITS.maxDeliveryDelaySeconds, '0 to 15 minutes'),
        receiveMessageWaitTime: durationRule(0, INFRA_LIMITS.maxReceiveWaitSeconds, '0 to 20 seconds'),
        maxMessageSizeBytes: { type: 'integer', min: INFRA_LIMITS.minMessageSizeBytes, max: AWS_LIMITS.maxMessageBytes },
        ...(fifo ? {} : { deduplicationScope: ONLY_FIFO, fifoThroughputLimit: ONLY_FIFO }),
        queueName: {
          test: (name) => typeof name === 'string' && name.endsWith('.fifo') === fifo,
          allowed: fifo ? 'a name ending in ".fifo" (fifo is true)' : 'a name not ending in ".fifo" (set fifo: true for a FIFO queue)',
        },
        ...(kms ? {} : { dataKeyReuse: { allowed: "only with KMS encryption (encryption: 'KMS' or an encryptionKey)" } }),
      },
    },
    eventSourceProps: {
      type: 'object',
      table: {
        ...managedTable(MANAGED_EVENT_SOURCE_PROPS),
        ...(props.filters && props.filters.length > 0
          ? {}
          : { filterEncryption: { allowed: 'only with filters (the key encrypts the filter criteria)' } }),
      },
    },
  };
}

/** Checks `functionProps`, `queueProps` and `eventSourceProps` of `props`. */
export function checkPassThroughProps(problems: Problems, props: QueueConsumerProps): void {
  problems.check(passThroughPropsTable(props), props);
}
