/**
 * `QueueConsumer`: an SQS queue with its dead-letter queue, drained by a Lambda function
 * that reports partial batch failures.
 */
import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SLUICE_DEFAULTS, SLUICE_ENV } from '../../lambda/runtime/contract.ts';
import { deadLetterQueueDepthAlarm, notify } from './alarms.ts';
import { BUNDLING_DEFAULTS, INFRA_LIMITS, QUEUE_CONSUMER_DEFAULTS } from './queue-consumer-defaults.ts';
import { deriveVisibilityTimeout, validateQueueConsumerProps } from './queue-consumer-validation.ts';

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
   * Extra environment of the function. `SLUICE_DLQ_URL` and `SLUICE_QUEUE_URL` are set
   * by the construct and may not be given.
   * @default - only the Sluice variables
   */
  readonly environment?: Record<string, string>;
  /**
   * Alarm settings.
   * @default - the three alarms with default thresholds and no actions
   */
  readonly alarms?: QueueConsumerAlarmsProps;
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
}

/** The alarms of a {@link QueueConsumer}. */
export interface QueueConsumerAlarms {
  /** The dead-letter queue holds at least one message. */
  readonly deadLetterQueueDepth: cloudwatch.Alarm;
  /** The oldest message of the main queue is older than the threshold: a growing backlog. */
  readonly oldestMessageAge: cloudwatch.Alarm;
  /** The function failed whole invocations (crash, timeout, invalid event). */
  readonly functionErrors: cloudwatch.Alarm;
}

/**
 * An SQS queue (+ DLQ) drained by a Node.js 24 Lambda function through an event source
 * mapping that always reports batch item failures.
 *
 * It derives the queue visibility timeout (6 × timeout + batching window), encrypts both
 * queues and denies non-TLS access, grants the function only what the Sluice runtime
 * calls (consume, change visibility, send to its own DLQ), sets `SLUICE_DLQ_URL` and
 * `SLUICE_QUEUE_URL`, and raises alarms on DLQ depth, message age and function errors.
 * Impossible settings fail at synth with one error listing each problem.
 *
 * @example
 * const consumer = new QueueConsumer(this, 'RegisterUser', {
 *   entry: 'lambda/handlers/register-user.ts',
 *   timeout: Duration.seconds(30),
 *   batchSize: 10,
 *   maxConcurrency: 20,
 * });
 * topic.subscribe(consumer);
 */
export class QueueConsumer extends Construct {
  /** The queue the function consumes. */
  readonly queue: sqs.Queue;
  /** Receives messages after `maxReceiveCount` failed receives, and poison messages the runtime sends. */
  readonly deadLetterQueue: sqs.Queue;
  /** The consumer function. */
  readonly function: NodejsFunction;
  /** The function's execution role. */
  readonly role: iam.Role;
  /** The SQS event source of the function. */
  readonly eventSource: SqsEventSource;
  /** The customer managed key of both queues, with `KMS` encryption. */
  readonly encryptionKey?: kms.IKey;
  /** Whether the queues are FIFO. */
  readonly fifo: boolean;
  /** The derived visibility timeout of the queue. */
  readonly visibilityTimeout: Duration;
  /** The topic alarms notify, when configured. */
  readonly alarmTopic?: ITopic;
  /** The consumer's alarms. */
  readonly alarms: QueueConsumerAlarms;

  constructor(scope: Construct, id: string, props: QueueConsumerProps) {
    validateQueueConsumerProps(props); // before super(): invalid props add nothing to the tree
    super(scope, id);

    const timeout = props.timeout ?? QUEUE_CONSUMER_DEFAULTS.timeout;
    const maxReceiveCount = props.maxReceiveCount ?? SLUICE_DEFAULTS.maxReceiveCount;
    if (!Token.isUnresolved(maxReceiveCount) && maxReceiveCount < INFRA_LIMITS.recommendedMinMaxReceiveCount) {
      Annotations.of(this).addWarningV2(
        'sluice:maxReceiveCount',
        `maxReceiveCount is ${maxReceiveCount}; AWS recommends at least ${INFRA_LIMITS.recommendedMinMaxReceiveCount} so that throttled or briefly failing messages are not dead-lettered`,
      );
    }
    this.fifo = props.fifo ?? false;
    this.visibilityTimeout = deriveVisibilityTimeout(timeout, props.maxBatchingWindow);
    this.alarmTopic = props.alarms?.alarmTopic;

    const useKms = props.encryption === QueueConsumerEncryption.KMS || props.encryptionKey !== undefined;
    this.encryptionKey = useKms
      ? (props.encryptionKey ?? new kms.Key(this, 'Key', { enableKeyRotation: true, description: `Encrypts the queues of ${this.node.path}` }))
      : undefined;
    const encryption = this.encryptionKey
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.encryptionKey }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED };

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...encryption,
      fifo: this.fifo || undefined,
      enforceSSL: true,
      retentionPeriod: QUEUE_CONSUMER_DEFAULTS.deadLetterRetention,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...encryption,
      fifo: this.fifo || undefined,
      enforceSSL: true,
      visibilityTimeout: this.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    const logGroup = new logs.LogGroup(this, 'LogGroup', { retention: QUEUE_CONSUMER_DEFAULTS.logRetention });
    // Instead of the AWSLambdaBasicExecutionRole managed policy: write to this log group only.
    logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout,
      memorySize: props.memorySize ?? QUEUE_CONSUMER_DEFAULTS.memorySizeMiB,
      role: this.role,
      logGroup,
      environment: {
        // Stack traces point into the TypeScript sources through the bundled source map.
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
        [SLUICE_ENV.QUEUE_URL]: this.queue.queueUrl,
        [SLUICE_ENV.DLQ_URL]: this.deadLetterQueue.queueUrl,
      },
      bundling: BUNDLING_DEFAULTS,
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
      ...(props.depsLockFilePath ? { depsLockFilePath: props.depsLockFilePath } : {}),
    });

    // Poison messages go straight to the DLQ (runtime `retry.deadLetter: 'auto'`).
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    if (this.encryptionKey) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.encryptionKey.keyArn] }),
      );
    }

    // Grants the function sqs:ReceiveMessage, DeleteMessage, ChangeMessageVisibility,
    // GetQueueAttributes, GetQueueUrl on the queue (and kms:Decrypt on its key).
    this.eventSource = new SqsEventSource(this.queue, {
      batchSize: props.batchSize ?? QUEUE_CONSUMER_DEFAULTS.batchSize,
      reportBatchItemFailures: true,
      ...(props.maxBatchingWindow ? { maxBatchingWindow: props.maxBatchingWindow } : {}),
      ...(props.maxConcurrency !== undefined ? { maxConcurrency: props.maxConcurrency } : {}),
      ...(props.provisionedPollers ? { provisionedPollerConfig: { ...props.provisionedPollers } } : {}),
    });
    this.function.addEventSource(this.eventSource);

    this.alarms = this.createAlarms(props.alarms);
  }

  private createAlarms(props: QueueConsumerAlarmsProps | undefined): QueueConsumerAlarms {
    const threshold = props?.oldestMessageAgeThreshold ?? QUEUE_CONSUMER_DEFAULTS.oldestMessageAgeThreshold;
    const oldestMessageAge = new cloudwatch.Alarm(this, 'OldestMessageAgeAlarm', {
      alarmDescription: `The oldest message of ${this.node.path} is older than ${threshold.toHumanString()}: the consumer is falling behind or failing.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: threshold.toSeconds(),
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 5,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    notify(oldestMessageAge, this.alarmTopic);
    const functionErrors = new cloudwatch.Alarm(this, 'FunctionErrorsAlarm', {
      alarmDescription: `${this.node.path} failed whole invocations (crash, timeout or invalid event): the whole batch is retried.`,
      metric: this.function.metricErrors({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    notify(functionErrors, this.alarmTopic);
    return {
      deadLetterQueueDepth: deadLetterQueueDepthAlarm(this, 'DeadLetterQueueDepthAlarm', this.deadLetterQueue, this.alarmTopic),
      oldestMessageAge,
      functionErrors,
    };
  }
}
