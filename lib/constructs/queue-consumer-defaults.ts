/**
 * Defaults and service limits of {@link QueueConsumer} and {@link EventTopic} that only the
 * infrastructure needs. Names and limits the runtime shares live in
 * `lambda/runtime/contract.ts`.
 */
import { Duration } from 'aws-cdk-lib';
import { LogLevel, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';

/** Defaults applied when a prop is omitted. */
export const QUEUE_CONSUMER_DEFAULTS = {
  timeout: Duration.seconds(30),
  memorySizeMiB: 256,
  batchSize: 10,
  /** Alarm when the oldest message of the main queue is older than this. */
  oldestMessageAgeThreshold: Duration.minutes(15),
  logRetention: RetentionDays.ONE_MONTH,
  /** Every dead-letter queue (consumer and subscription) keeps messages this long (the SQS maximum). */
  deadLetterRetention: Duration.days(14),
} as const;

/** Limits of Lambda and SQS that the constructs check at synth and the runtime never needs. */
export const INFRA_LIMITS = {
  /** `maxReceiveCount` of an SQS redrive policy. */
  minMaxReceiveCount: 1,
  maxMaxReceiveCount: 1000,
  /** Below this `maxReceiveCount` a warning is emitted (AWS guidance: at least 5). */
  recommendedMinMaxReceiveCount: 5,
  /** Provisioned pollers of an SQS event source mapping (Lambda API, SQS ranges). */
  minMinimumPollers: 2,
  maxMinimumPollers: 200,
  minMaximumPollers: 2,
  maxMaximumPollers: 2000,
  /** Lambda memory, MiB. */
  minMemorySizeMiB: 128,
  maxMemorySizeMiB: 10_240,
  /**
   * Event filters per event source mapping: Lambda's default quota. An account may raise
   * it to `maxEventFiltersRaised` (Lambda developer guide, "Control which events Lambda
   * sends to your function"); such an account sets the `eventFilterQuotaContextKey` context.
   */
  maxEventFilters: 5,
  maxEventFiltersRaised: 10,
  /** Characters of one filter pattern (Lambda API, `Filter.Pattern`). */
  maxFilterPatternLength: 4096,
  /** SQS queue attributes that `queueProps` may set (SQS API ranges). */
  minRetentionSeconds: 60,
  maxRetentionSeconds: 1_209_600,
  maxDeliveryDelaySeconds: 900,
  minMessageSizeBytes: 1024,
  maxReceiveWaitSeconds: 20,
} as const;

/**
 * Context key holding the event filter quota of an account that had it raised, e.g.
 * `"sluice:eventFilterQuota": 10` in `cdk.json`.
 */
export const EVENT_FILTER_QUOTA_CONTEXT_KEY = 'sluice:eventFilterQuota';

/**
 * esbuild settings of every consumer function: ESM for Node 24, minified, with source
 * maps, the AWS SDK left to the Lambda runtime, bundled locally (never in Docker).
 */
export const BUNDLING_DEFAULTS: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  externalModules: ['@aws-sdk/*'],
  mainFields: ['module', 'main'],
  // Bundled CommonJS dependencies may `require` Node built-ins; ESM output has no `require`.
  banner: "import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url);",
  forceDockerBundling: false,
  // esbuild's per-bundle size summary is noise in `cdk synth` and `sluice dev`; warnings still show.
  logLevel: LogLevel.WARNING,
};
