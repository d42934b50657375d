/**
 * What every Sluice topic shares, whether {@link EventTopic} created it or
 * {@link EventTopic.fromTopic} imported it: `subscribe()`, which gives each subscription
 * its own dead-letter queue, and `grantPublish()`.
 */
import { Annotations, Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';
import { deadLetterQueueDepthAlarm } from './alarms.ts';
import { filtersNeedingRawDelivery } from './event-filters.ts';
import { QUEUE_CONSUMER_DEFAULTS } from './queue-consumer-defaults.ts';
import type { QueueConsumer } from './queue-consumer.ts';
import { Problems } from './validation.ts';

/** Options of {@link IEventTopic.subscribe}. */
export interface EventSubscriptionOptions {
  /**
   * Filter on message attributes: only matching messages are delivered.
   * @default - no attribute filter
   */
  readonly filterPolicy?: { [attribute: string]: sns.SubscriptionFilter };
  /**
   * Filter on the JSON message body (`FilterPolicyScope: MessageBody`). Cannot be
   * combined with `filterPolicy`.
   * @default - no body filter
   */
  readonly filterPolicyWithMessageBody?: { [key: string]: sns.FilterOrPolicy };
  /**
   * Deliver the message itself as the SQS body (attributes become SQS message
   * attributes) instead of the SNS envelope.
   * @default false
   */
  readonly rawMessageDelivery?: boolean;
}

/** What {@link IEventTopic.subscribe} created. */
export interface EventSubscription {
  /** The SNS subscription of the consumer's queue. */
  readonly subscription: sns.Subscription;
  /** Receives messages SNS could not deliver to the queue. */
  readonly deadLetterQueue: sqs.Queue;
  /** Fires when `deadLetterQueue` holds any message. */
  readonly deadLetterQueueDepthAlarm: cloudwatch.Alarm;
}

/** A topic that {@link QueueConsumer}s subscribe to: an {@link EventTopic}, or one from {@link EventTopic.fromTopic}. */
export interface IEventTopic extends IConstruct {
  /** The SNS topic. */
  readonly topic: sns.ITopic;
  /** The key that encrypts the topic, when known. */
  readonly masterKey?: kms.IKey;
  /** Whether the topic is FIFO. */
  readonly fifo: boolean;
  /**
   * Delivers this topic's messages to `consumer`'s queue through a subscription with its
   * own dead-letter queue.
   *
   * @returns the subscription, its dead-letter queue and the queue's depth alarm
   * @throws {InvalidPropsError} for a standard topic and a FIFO queue, a queue encrypted
   *   with this topic's key, or both filter scopes at once
   */
  subscribe(consumer: QueueConsumer, options?: EventSubscriptionOptions): EventSubscription;
  /** Lets `grantee` publish to the topic (and use its key, when known). */
  grantPublish(grantee: iam.IGrantable): iam.Grant;
}

/** `subscribe()` and `grantPublish()` of every Sluice topic. */
export abstract class EventTopicBase extends Construct implements IEventTopic {
  abstract readonly topic: sns.ITopic;
  abstract readonly masterKey?: kms.IKey;
  abstract readonly fifo: boolean;

  /**
   * Delivers this topic's messages to `consumer`'s queue. The subscription gets its own
   * dead-letter queue (encrypted like the consumer's queues, 14-day retention, FIFO for
   * a FIFO topic) with a depth alarm; the queue policy admits only this topic
   * (`aws:SourceArn`), and a KMS-encrypted queue's key lets SNS use it for this topic.
   * Warns when the consumer's event `filters` look into the published message while the
   * queue receives SNS envelopes (raw delivery off): such filters would delete every message.
   *
   * @returns the subscription, its dead-letter queue and the queue's depth alarm
   * @throws {InvalidPropsError} for a standard topic and a FIFO queue, a queue encrypted
   *   with this topic's key, or both filter scopes at once
   */
  subscribe(consumer: QueueConsumer, options: EventSubscriptionOptions = {}): EventSubscription {
    this.validateSubscription(consumer, options);
    const scope = new Construct(this, `${consumer.node.id}Subscription`);
    const deadLetterQueue = new sqs.Queue(scope, 'DeadLetterQueue', {
      ...(consumer.encryptionKey
        ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: consumer.encryptionKey }
        : { encryption: sqs.QueueEncryption.SQS_MANAGED }),
      fifo: this.fifo || undefined,
      enforceSSL: true,
      retentionPeriod: QUEUE_CONSUMER_DEFAULTS.deadLetterRetention,
    });
    Validations.of(deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of an SNS subscription (its RedrivePolicy); a dead-letter queue needs no dead-letter queue of its own, and cdk-nag recognizes only DLQs named by a queue or a function.',
    });
    const subscription = this.topic.addSubscription(
      new SqsSubscription(consumer.queue, {
        deadLetterQueue,
        ...(options.rawMessageDelivery !== undefined ? { rawMessageDelivery: options.rawMessageDelivery } : {}),
        ...(options.filterPolicy ? { filterPolicy: options.filterPolicy } : {}),
        ...(options.filterPolicyWithMessageBody ? { filterPolicyWithMessageBody: options.filterPolicyWithMessageBody } : {}),
      }),
    );
    const alarm = deadLetterQueueDepthAlarm(scope, 'DeadLetterQueueDepthAlarm', deadLetterQueue, consumer.alarmTopic);
    if (!options.rawMessageDelivery) {
      const indexes = filtersNeedingRawDelivery(consumer.filters);
      if (indexes.length > 0) {
        Annotations.of(scope).addWarningV2(
          'sluice:filtersOnEnvelope',
          `filters[${indexes.join(', ')}] of ${consumer.node.path} match fields of the message or a plain-text body, but this subscription delivers SNS envelopes ` +
            '(the message is the string field "Message"), so Lambda would delete every message from this topic unprocessed; ' +
            'set rawMessageDelivery: true, or filter on the subscription with filterPolicyWithMessageBody',
        );
      }
    }
    return { subscription, deadLetterQueue, deadLetterQueueDepthAlarm: alarm };
  }

  /**
   * Lets `grantee` publish to the topic: `sns:Publish` on it, and `kms:GenerateDataKey`
   * and `kms:Decrypt` on its key when the key is known (no wildcard actions).
   */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    const publish = iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [this.topic.topicArn] });
    if (!this.masterKey) return publish;
    return publish.combine(
      iam.Grant.addToPrincipal({ grantee, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resourceArns: [this.masterKey.keyArn] }),
    );
  }

  private validateSubscription(consumer: QueueConsumer, options: EventSubscriptionOptions): void {
    const problems = new Problems();
    if (!this.fifo && consumer.fifo) {
      problems.add(
        'consumer',
        consumer,
        `a consumer with a standard queue: topic ${this.node.path} is standard, and SNS standard topics cannot deliver to FIFO queues (subscribe a FIFO queue to a FIFO topic, fifo: true)`,
      );
    }
    // Only a topic of this app makes the cycle: its key policy would name a topic that needs the key.
    if (this.topic instanceof sns.Topic && consumer.encryptionKey && this.masterKey && sameKey(consumer.encryptionKey, this.masterKey)) {
      problems.add(
        'consumer',
        consumer,
        `a consumer whose queue is not encrypted with the key of topic ${this.node.path} ` +
          '(one key for both makes a dependency cycle: the key policy names the topic, the topic needs the key, and CloudFormation rejects the stack)',
      );
    }
    if (options.filterPolicy) {
      problems.check({ filterPolicyWithMessageBody: { allowed: 'nothing with filterPolicy (a subscription has one filter scope)' } }, options);
    }
    problems.throwIfAny('EventTopic.subscribe');
  }
}

function sameKey(a: kms.IKey, b: kms.IKey): boolean {
  if (a === b) return true;
  return !Token.isUnresolved(a.keyArn) && a.keyArn === b.keyArn;
}
