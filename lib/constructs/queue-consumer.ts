/**
 * `QueueConsumer`: an SQS queue with its dead-letter queue, drained by a Lambda function
 * that reports partial batch failures.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
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
import type { EventFilter } from './event-filters.ts';
import { EVENT_FILTER_QUOTA_CONTEXT_KEY, QUEUE_CONSUMER_DEFAULTS } from './queue-consumer-defaults.ts';
import { addIdempotency } from './queue-consumer-idempotency.ts';
import { mergeBundling, vpcAccessStatement } from './queue-consumer-pass-through.ts';
import { QueueConsumerEncryption, type QueueConsumerAlarmsProps, type QueueConsumerProps } from './queue-consumer-props.ts';
import { deriveVisibilityTimeout, validateQueueConsumerProps, warnAboutRiskySettings } from './queue-consumer-validation.ts';

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
 * With `idempotency` it adds the DynamoDB table the runtime's `dynamoDbStore()` uses.
 * Impossible settings fail at synth with one error listing each problem.
 *
 * `filters` let Lambda drop messages before invoking (a dropped message is deleted, not
 * retried or dead-lettered). `functionProps`, `queueProps` and `eventSourceProps` pass the
 * settings it does not manage (VPC, layers, retention, …) through; overriding one it
 * manages (visibility timeout, redrive, encryption, batch item failure reporting, …) fails
 * at synth, naming the prop.
 *
 * @example
 * const consumer = new QueueConsumer(this, 'RegisterUser', {
 *   entry: 'lambda/handlers/register-user.ts',
 *   timeout: Duration.seconds(30),
 *   batchSize: 10,
 *   maxConcurrency: 20,
 *   functionProps: { vpc, layers: [otelLayer] },
 *   queueProps: { retentionPeriod: Duration.days(7) },
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
  /** The event filters of the event source mapping (empty: every message is delivered). */
  readonly filters: readonly EventFilter[];
  /** With `idempotency`: the table the runtime's `dynamoDbStore()` claims keys in. */
  readonly idempotencyTable?: dynamodb.ITableV2;

  constructor(scope: Construct, id: string, props: QueueConsumerProps) {
    // Before super(): invalid props add nothing to the tree.
    validateQueueConsumerProps(props, { eventFilterQuota: scope.node.tryGetContext(EVENT_FILTER_QUOTA_CONTEXT_KEY) });
    super(scope, id);

    const timeout = props.timeout ?? QUEUE_CONSUMER_DEFAULTS.timeout;
    const maxReceiveCount = props.maxReceiveCount ?? SLUICE_DEFAULTS.maxReceiveCount;
    this.fifo = props.fifo ?? false;
    this.visibilityTimeout = deriveVisibilityTimeout(timeout, props.maxBatchingWindow);
    this.alarmTopic = props.alarms?.alarmTopic;
    this.filters = props.filters ?? [];
    warnAboutRiskySettings(this, props, this.visibilityTimeout);

    const useKms = props.encryption === QueueConsumerEncryption.KMS || props.encryptionKey !== undefined;
    this.encryptionKey = useKms
      ? (props.encryptionKey ?? new kms.Key(this, 'Key', { enableKeyRotation: true, description: `Encrypts the queues of ${this.node.path}` }))
      : undefined;
    const encryption = this.encryptionKey
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: this.encryptionKey }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED };

    const { removalPolicy, ...queueProps } = props.queueProps ?? {};
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...encryption,
      fifo: this.fifo || undefined,
      enforceSSL: true,
      retentionPeriod: QUEUE_CONSUMER_DEFAULTS.deadLetterRetention,
      ...(removalPolicy ? { removalPolicy } : {}),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...queueProps,
      ...encryption,
      fifo: this.fifo || undefined,
      ...(props.contentBasedDeduplication ? { contentBasedDeduplication: true } : {}),
      enforceSSL: true,
      visibilityTimeout: this.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
      ...(removalPolicy ? { removalPolicy } : {}),
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${this.node.path}`,
    });
    this.function = this.createFunction(props, timeout);

    // Poison messages go straight to the DLQ (runtime `retry.deadLetter: 'auto'`).
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    if (this.encryptionKey) {
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [this.encryptionKey.keyArn] }),
      );
    }
    // Exactly-once effects: the table, its four item actions and SLUICE_IDEMPOTENCY_TABLE.
    if (props.idempotency) this.idempotencyTable = addIdempotency(this, this.function, this.role, props.idempotency, removalPolicy);

    // Grants the function sqs:ReceiveMessage, DeleteMessage, ChangeMessageVisibility,
    // GetQueueAttributes, GetQueueUrl on the queue (and kms:Decrypt on its key).
    this.eventSource = new SqsEventSource(this.queue, {
      ...props.eventSourceProps,
      batchSize: props.batchSize ?? QUEUE_CONSUMER_DEFAULTS.batchSize,
      reportBatchItemFailures: true,
      ...(props.maxBatchingWindow ? { maxBatchingWindow: props.maxBatchingWindow } : {}),
      ...(props.maxConcurrency !== undefined ? { maxConcurrency: props.maxConcurrency } : {}),
      ...(props.provisionedPollers ? { provisionedPollerConfig: { ...props.provisionedPollers } } : {}),
      ...(this.filters.length > 0 ? { filters: [...this.filters] } : {}),
      ...(props.metricsConfig ? { metricsConfig: { metrics: [...props.metricsConfig.metrics] } } : {}),
    });
    this.function.addEventSource(this.eventSource);

    this.alarms = this.createAlarms(props.alarms);
  }

  /**
   * The function, with `functionProps` under the construct's own settings: `logRetention`
   * goes to the construct's log group, `logGroup` replaces it, `bundling` is merged.
   */
  private createFunction(props: QueueConsumerProps, timeout: Duration): NodejsFunction {
    const { bundling, logGroup: givenLogGroup, logRetention, architecture, ...functionProps } = props.functionProps ?? {};
    const logGroup = givenLogGroup ?? new logs.LogGroup(this, 'LogGroup', { retention: logRetention ?? QUEUE_CONSUMER_DEFAULTS.logRetention });
    // Instead of the AWSLambdaBasicExecutionRole managed policy: write to this log group only.
    logs.LogGroupGrants.fromLogGroup(logGroup).write(this.role);
    // CDK adds AWSLambdaVPCAccessExecutionRole only to roles it creates itself.
    if (functionProps.vpc) this.role.addToPrincipalPolicy(vpcAccessStatement());
    const wildcards = [
      ...(functionProps.vpc ? ['the EC2 network interface actions a function in a VPC needs'] : []),
      ...(functionProps.tracing && functionProps.tracing !== lambda.Tracing.DISABLED ? ['the X-Ray actions that tracing adds'] : []),
    ];
    if (wildcards.length > 0) {
      Validations.of(this.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: `Only ${wildcards.join(' and ')} are granted on "*", as AWS's managed policies for them do (AWSLambdaVPCAccessExecutionRole, AWSXRayDaemonWriteAccess); Lambda picks the network interfaces and trace segments at run time.`,
      });
    }

    return new NodejsFunction(this, 'Function', {
      ...functionProps,
      entry: props.entry,
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: architecture ?? lambda.Architecture.ARM_64,
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
      bundling: mergeBundling(bundling),
      ...(props.projectRoot ? { projectRoot: props.projectRoot } : {}),
      ...(props.depsLockFilePath ? { depsLockFilePath: props.depsLockFilePath } : {}),
    });
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
