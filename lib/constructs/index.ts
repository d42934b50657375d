/**
 * Sluice CDK constructs (`sluice/cdk`): `QueueConsumer` (SQS + DLQ → Lambda) and
 * `EventTopic` (SNS fan-out with per-subscription dead-letter queues).
 */
export { deadLetterQueueDepthAlarm } from './alarms.ts';
export { type EventFilter } from './event-filters.ts';
export { EventTopicBase, type EventSubscription, type EventSubscriptionOptions, type IEventTopic } from './event-topic-base.ts';
export { EventTopic, type EventTopicImportOptions, type EventTopicProps } from './event-topic.ts';
export {
  BUNDLING_DEFAULTS,
  EVENT_FILTER_QUOTA_CONTEXT_KEY,
  INFRA_LIMITS,
  QUEUE_CONSUMER_DEFAULTS,
} from './queue-consumer-defaults.ts';
export {
  MANAGED_BUNDLING_OPTIONS,
  MANAGED_EVENT_SOURCE_PROPS,
  MANAGED_FUNCTION_PROPS,
  MANAGED_QUEUE_PROPS,
} from './queue-consumer-pass-through.ts';
export {
  QueueConsumerEncryption,
  type ProvisionedPollersProps,
  type QueueConsumerAlarmsProps,
  type QueueConsumerBundlingOptions,
  type QueueConsumerEventSourceProps,
  type QueueConsumerFunctionProps,
  type QueueConsumerProps,
  type QueueConsumerQueueProps,
} from './queue-consumer-props.ts';
export { IDEMPOTENCY_ACTIONS, IDEMPOTENCY_TABLE_SCHEMA, type QueueConsumerIdempotencyProps } from './queue-consumer-idempotency.ts';
export { deriveVisibilityTimeout } from './queue-consumer-validation.ts';
export { QueueConsumer, type QueueConsumerAlarms } from './queue-consumer.ts';
export { InvalidPropsError } from './validation.ts';
