/**
 * Synth-time checks of {@link QueueConsumerProps}: every setting that Lambda, SQS or
 * CloudFormation would reject at deploy time is reported here, all at once.
 */
import { Annotations, Duration, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AWS_LIMITS, SLUICE_DEFAULTS, SLUICE_ENV } from '../../lambda/runtime/contract.ts';
import type { OptionTable } from '../../lambda/runtime/index.ts';
import { checkEventFilters, checkMetricsConfig, eventFilterQuota } from './event-filters.ts';
import { INFRA_LIMITS, QUEUE_CONSUMER_DEFAULTS } from './queue-consumer-defaults.ts';
import { IDEMPOTENCY_RESERVED_ENV, IDEMPOTENCY_RULE } from './queue-consumer-idempotency.ts';
import { checkPassThroughProps } from './queue-consumer-pass-through.ts';
import type { QueueConsumerProps } from './queue-consumer-props.ts';
import { durationRule, isResolved, Problems } from './validation.ts';

/** What {@link validateQueueConsumerProps} reads from the app besides the props. */
export interface QueueConsumerValidationContext {
  /**
   * The `sluice:eventFilterQuota` context value.
   * @default - Lambda's default quota of 5 filters per event source mapping
   */
  readonly eventFilterQuota?: unknown;
}

/** Environment variables the construct sets itself; user values would be overwritten. */
const RESERVED_ENV = [SLUICE_ENV.DLQ_URL, SLUICE_ENV.QUEUE_URL] as const;

/**
 * The queue visibility timeout AWS recommends for a consumer:
 * `visibilityTimeoutFactor` (6) × function timeout + batching window.
 */
export function deriveVisibilityTimeout(timeout: Duration, maxBatchingWindow: Duration | undefined): Duration {
  const windowSeconds = maxBatchingWindow?.toSeconds() ?? 0;
  return Duration.seconds(SLUICE_DEFAULTS.visibilityTimeoutFactor * timeout.toSeconds() + windowSeconds);
}

/** A FIFO queue cannot have a batching window. */
const NO_WINDOW_ON_FIFO = 'none on a FIFO queue (Lambda does not support a batching window for FIFO queues)';
const CONCRETE = 'a concrete Duration (the queue visibility timeout is derived from it)';

/**
 * The table of {@link QueueConsumerProps} for a FIFO or standard queue: what each prop
 * may be. Props it does not list are checked by code (relations between props) or not at
 * all; deploy-time tokens are skipped.
 */
export function queueConsumerPropsTable(props: QueueConsumerProps): OptionTable {
  const fifo = props.fifo ?? false;
  const maxBatchSize = fifo ? AWS_LIMITS.maxFifoBatchSize : AWS_LIMITS.maxStandardBatchSize;
  const integer = (min: number, max: number) => ({ type: 'integer', min, max }) as const;
  return {
    timeout: durationRule(1, AWS_LIMITS.maxFunctionTimeoutSeconds, `1 second to ${AWS_LIMITS.maxFunctionTimeoutSeconds / 60} minutes`),
    maxBatchingWindow: fifo
      ? { allowed: NO_WINDOW_ON_FIFO }
      : durationRule(0, AWS_LIMITS.maxBatchingWindowSeconds, `0 to ${AWS_LIMITS.maxBatchingWindowSeconds} seconds`),
    batchSize: { ...integer(1, maxBatchSize), allowed: `an integer from 1 to ${maxBatchSize} for a ${fifo ? 'FIFO' : 'standard'} queue` },
    maxConcurrency: props.provisionedPollers
      ? { allowed: 'nothing with provisionedPollers (bound concurrency through provisionedPollers.maximumPollers)' }
      : integer(AWS_LIMITS.minMaxConcurrency, AWS_LIMITS.maxMaxConcurrency),
    provisionedPollers: {
      type: 'object',
      table: {
        minimumPollers: integer(INFRA_LIMITS.minMinimumPollers, INFRA_LIMITS.maxMinimumPollers),
        maximumPollers: { ...integer(INFRA_LIMITS.minMaximumPollers, INFRA_LIMITS.maxMaximumPollers), atLeast: 'minimumPollers' },
      },
    },
    maxReceiveCount: integer(INFRA_LIMITS.minMaxReceiveCount, INFRA_LIMITS.maxMaxReceiveCount),
    memorySize: integer(INFRA_LIMITS.minMemorySizeMiB, INFRA_LIMITS.maxMemorySizeMiB),
    ...(props.encryptionKey ? { encryption: { values: ['KMS'], allowed: `'KMS' (or omit it) when encryptionKey is given` } } : {}),
    environment: {
      type: 'object',
      table: Object.fromEntries([...RESERVED_ENV, ...(props.idempotency ? IDEMPOTENCY_RESERVED_ENV : [])].map((name) => [name, { allowed: 'nothing: QueueConsumer sets it' }])),
    },
    ...(fifo ? {} : { contentBasedDeduplication: { values: [false], allowed: 'only on a FIFO queue (fifo: true)' } }),
    idempotency: IDEMPOTENCY_RULE,
  };
}

/**
 * Checks `props` and throws one `InvalidPropsError` listing every problem.
 *
 * @throws {InvalidPropsError} when any prop is impossible to deploy
 */
export function validateQueueConsumerProps(props: QueueConsumerProps, context: QueueConsumerValidationContext = {}): void {
  const problems = new Problems();
  const fifo = props.fifo ?? false;
  const timeout = props.timeout ?? QUEUE_CONSUMER_DEFAULTS.timeout;
  const window = props.maxBatchingWindow;
  const batchSize = props.batchSize ?? QUEUE_CONSUMER_DEFAULTS.batchSize;

  // The queue visibility timeout is derived from the function timeout and the window: both must be concrete.
  if (timeout.isUnresolved()) problems.add('timeout', timeout, CONCRETE);
  if (window?.isUnresolved()) problems.add('maxBatchingWindow', window, CONCRETE);
  problems.check(queueConsumerPropsTable(props), props);
  if (!timeout.isUnresolved() && (window === undefined || !window.isUnresolved())) {
    const visibility = deriveVisibilityTimeout(timeout, window);
    if (visibility.toSeconds() > AWS_LIMITS.maxVisibilityTimeoutSeconds) {
      problems.add(
        'timeout',
        timeout,
        `a timeout whose derived queue visibility timeout (${SLUICE_DEFAULTS.visibilityTimeoutFactor} × timeout + maxBatchingWindow, here ` +
          `${visibility.toSeconds()} seconds) is at most ${AWS_LIMITS.maxVisibilityTimeoutSeconds} seconds (12 hours)`,
      );
    }
  }
  // A standard queue takes batches above 10 only with a batching window.
  const windowOn = window !== undefined && isResolved(window) && window.toSeconds() > 0;
  if (!fifo && isResolved(batchSize) && Number.isInteger(batchSize) && batchSize > AWS_LIMITS.maxBatchSizeWithoutWindow && batchSize <= AWS_LIMITS.maxStandardBatchSize && !windowOn) {
    problems.add(
      'batchSize',
      batchSize,
      `at most ${AWS_LIMITS.maxBatchSizeWithoutWindow} without a maxBatchingWindow of at least 1 second; set maxBatchingWindow to go up to ${AWS_LIMITS.maxStandardBatchSize}`,
    );
  }

  // Event filtering and metrics of the mapping, then the pass-through props.
  checkEventFilters(problems, props.filters, eventFilterQuota(problems, context.eventFilterQuota));
  checkMetricsConfig(problems, props.metricsConfig);
  checkPassThroughProps(problems, props);
  problems.throwIfAny('QueueConsumer');
}

/**
 * Adds synth warnings to `consumer` for settings that deploy but may lose or throttle
 * messages: `maxReceiveCount` below 5, a retention shorter than the retries, and a
 * `maxConcurrency` above the reserved concurrency.
 */
export function warnAboutRiskySettings(consumer: Construct, props: QueueConsumerProps, visibilityTimeout: Duration): void {
  const annotations = Annotations.of(consumer);
  const maxReceiveCount = props.maxReceiveCount ?? SLUICE_DEFAULTS.maxReceiveCount;
  if (!Token.isUnresolved(maxReceiveCount) && maxReceiveCount < INFRA_LIMITS.recommendedMinMaxReceiveCount) {
    annotations.addWarningV2(
      'sluice:maxReceiveCount',
      `maxReceiveCount is ${maxReceiveCount}; AWS recommends at least ${INFRA_LIMITS.recommendedMinMaxReceiveCount} so that throttled or briefly failing messages are not dead-lettered`,
    );
  }
  const retention = props.queueProps?.retentionPeriod;
  if (retention && !retention.isUnresolved() && !Token.isUnresolved(maxReceiveCount)) {
    const retrySpan = visibilityTimeout.toSeconds() * maxReceiveCount;
    if (retention.toSeconds() < retrySpan) {
      annotations.addWarningV2(
        'sluice:retentionPeriod',
        `queueProps.retentionPeriod is ${retention.toHumanString()}, shorter than maxReceiveCount × visibility timeout (${retrySpan} seconds): a failing message may expire before it reaches the dead-letter queue`,
      );
    }
  }
  const reserved = props.functionProps?.reservedConcurrentExecutions;
  const maxConcurrency = props.maxConcurrency;
  if (reserved !== undefined && maxConcurrency !== undefined && !Token.isUnresolved(reserved) && !Token.isUnresolved(maxConcurrency) && maxConcurrency > reserved) {
    annotations.addWarningV2(
      'sluice:maxConcurrency',
      `maxConcurrency ${maxConcurrency} is above functionProps.reservedConcurrentExecutions ${reserved}: throttled invocations return their messages to the queue, count as receives and can dead-letter them (AWS: keep maxConcurrency ≤ reserved concurrency)`,
    );
  }
}
