/**
 * Synth-time checks of {@link QueueConsumerProps}: every setting that Lambda, SQS or
 * CloudFormation would reject at deploy time is reported here, all at once.
 */
import { Annotations, Duration, Token } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AWS_LIMITS, SLUICE_DEFAULTS, SLUICE_ENV } from '../../lambda/runtime/contract.ts';
import { checkEventFilters, checkMetricsConfig, eventFilterQuota } from './event-filters.ts';
import { INFRA_LIMITS, QUEUE_CONSUMER_DEFAULTS } from './queue-consumer-defaults.ts';
import { checkPassThroughProps } from './queue-consumer-pass-through.ts';
import type { QueueConsumerProps } from './queue-consumer-props.ts';
import { isResolved, Problems } from './validation.ts';

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

  // Function timeout and the visibility timeout derived from it.
  if (timeout.isUnresolved()) {
    problems.add('timeout', '<token>', 'a concrete Duration (the queue visibility timeout is derived from it)');
  } else if (timeout.toMilliseconds() < 1000 || timeout.toSeconds() > AWS_LIMITS.maxFunctionTimeoutSeconds) {
    problems.add('timeout', timeout, `1 second to ${AWS_LIMITS.maxFunctionTimeoutSeconds / 60} minutes`);
  }
  if (window !== undefined) {
    if (window.isUnresolved()) {
      problems.add('maxBatchingWindow', '<token>', 'a concrete Duration (the queue visibility timeout is derived from it)');
    } else if (fifo) {
      problems.add('maxBatchingWindow', window, 'none on a FIFO queue (Lambda does not support a batching window for FIFO queues)');
    } else if (window.toSeconds() > AWS_LIMITS.maxBatchingWindowSeconds) {
      problems.add('maxBatchingWindow', window, `0 to ${AWS_LIMITS.maxBatchingWindowSeconds} seconds`);
    }
  }
  if (!timeout.isUnresolved() && (window === undefined || !window.isUnresolved())) {
    const visibility = deriveVisibilityTimeout(timeout, window);
    if (visibility.toSeconds() > AWS_LIMITS.maxVisibilityTimeoutSeconds) {
      problems.addRaw(
        `timeout: derived queue visibility timeout ${SLUICE_DEFAULTS.visibilityTimeoutFactor} × ${timeout.toHumanString()}` +
          ` + window = ${visibility.toSeconds()} seconds; allowed: at most ${AWS_LIMITS.maxVisibilityTimeoutSeconds} seconds (12 hours)`,
      );
    }
  }

  // Batch size.
  if (isResolved(batchSize)) {
    const max = fifo ? AWS_LIMITS.maxFifoBatchSize : AWS_LIMITS.maxStandardBatchSize;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > max) {
      problems.add('batchSize', batchSize, `an integer from 1 to ${max} for a ${fifo ? 'FIFO' : 'standard'} queue`);
    } else if (!fifo && batchSize > AWS_LIMITS.maxBatchSizeWithoutWindow && !(window && isResolved(window) && window.toSeconds() > 0)) {
      problems.add(
        'batchSize',
        batchSize,
        `at most ${AWS_LIMITS.maxBatchSizeWithoutWindow} without a maxBatchingWindow of at least 1 second; set maxBatchingWindow to go up to ${AWS_LIMITS.maxStandardBatchSize}`,
      );
    }
  }

  // Scaling: maxConcurrency or provisioned pollers, never both.
  problems.integerInRange('maxConcurrency', props.maxConcurrency, AWS_LIMITS.minMaxConcurrency, AWS_LIMITS.maxMaxConcurrency);
  const pollers = props.provisionedPollers;
  if (pollers) {
    if (props.maxConcurrency !== undefined) {
      problems.addRaw(
        `maxConcurrency: got ${props.maxConcurrency} together with provisionedPollers; allowed: one of them (with provisioned pollers, bound concurrency through maximumPollers)`,
      );
    }
    problems.integerInRange('provisionedPollers.minimumPollers', pollers.minimumPollers, INFRA_LIMITS.minMinimumPollers, INFRA_LIMITS.maxMinimumPollers);
    problems.integerInRange('provisionedPollers.maximumPollers', pollers.maximumPollers, INFRA_LIMITS.minMaximumPollers, INFRA_LIMITS.maxMaximumPollers);
    const { minimumPollers: min, maximumPollers: max } = pollers;
    if (min !== undefined && max !== undefined && isResolved(min) && isResolved(max) && min > max) {
      problems.addRaw(`provisionedPollers: minimumPollers ${min} is greater than maximumPollers ${max}; allowed: minimumPollers ≤ maximumPollers`);
    }
  }

  // Redrive, function size, encryption, environment.
  problems.integerInRange('maxReceiveCount', props.maxReceiveCount, INFRA_LIMITS.minMaxReceiveCount, INFRA_LIMITS.maxMaxReceiveCount);
  problems.integerInRange('memorySize', props.memorySize, INFRA_LIMITS.minMemorySizeMiB, INFRA_LIMITS.maxMemorySizeMiB);
  if (props.encryptionKey && props.encryption === 'SQS_MANAGED') {
    problems.add('encryption', props.encryption, `'KMS' (or omit it) when encryptionKey is given`);
  }
  for (const name of RESERVED_ENV) {
    if (props.environment && name in props.environment) {
      problems.add(`environment.${name}`, props.environment[name], 'nothing: QueueConsumer sets it');
    }
  }
  if (props.contentBasedDeduplication && !fifo) {
    problems.add('contentBasedDeduplication', true, 'only on a FIFO queue (fifo: true)');
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
