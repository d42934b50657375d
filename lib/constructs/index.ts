/**
 * Sluice CDK constructs (`sluice/cdk`): `QueueConsumer` (SQS + DLQ → Lambda) and
 * `EventTopic` (SNS fan-out with per-subscription dead-letter queues).
 */
export { deadLetterQueueDepthAlarm } from './alarms.ts';
export {
  EventTopic,
  type EventSubscription,
  type EventSubscriptionOptions,
  type EventTopicProps,
} from './event-topic.ts';
export { BUNDLING_DEFAULTS, INFRA_LIMITS, QUEUE_CONSUMER_DEFAULTS } from './queue-consumer-defaults.ts';
export { deriveVisibilityTimeout } from './queue-consumer-validation.ts';
export {
  QueueConsumer,
  QueueConsumerEncryption,
  type ProvisionedPollersProps,
  type QueueConsumerAlarms,
  type QueueConsumerAlarmsProps,
  type QueueConsumerProps,
} from './queue-consumer.ts';
export { InvalidPropsError } from './validation.ts';
