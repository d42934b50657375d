/**
 * `EventTopic`: an encrypted, TLS-only SNS topic whose `subscribe()` connects a
 * {@link QueueConsumer} with its own subscription dead-letter queue.
 */
import { Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { SqsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueueDepthAlarm } from './alarms.ts';
import { QUEUE_CONSUMER_DEFAULTS } from './queue-consumer-defaults.ts';
import type { QueueConsumer } from './queue-consumer.ts';
import { Problems } from './validation.ts';

/** Properties of an {@link EventTopic}. */
export interface EventTopicProps {
  /**
   * A FIFO topic: ordered, deduplicated delivery per message group. It delivers to FIFO
   * (ordered) or standard queues; its subscription dead-letter queues are FIFO.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * FIFO only: deduplicate by a SHA-256 of the body when a publisher sends no
   * deduplication id.
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;
  /**
   * Customer managed key that encrypts the topic. Never the key of a queue this topic
   * delivers to.
   * @default - a new key with rotation enabled
   */
  readonly masterKey?: kms.IKey;
  /**
   * Display name of the topic.
   * @default - none
   */
  readonly displayName?: string;
}

/** Options of {@link EventTopic.subscribe}. */
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

/** What {@link EventTopic.subscribe} created. */
export interface EventSubscription {
  /** The SNS subscription of the consumer's queue. */
  readonly subscription: sns.Subscription;
  /** Receives messages SNS could not deliver to the queue. */
  readonly deadLetterQueue: sqs.Queue;
  /** Fires when `deadLetterQueue` holds any message. */
  readonly deadLetterQueueDepthAlarm: cloudwatch.Alarm;
}

/**
 * An SNS topic (standard or FIFO) encrypted with a customer managed key (rotation on),
 * denying publishes without TLS.
 *
 * @example
 * const userEvents = new EventTopic(this, 'UserEvents');
 * userEvents.subscribe(registerUser);
 * userEvents.subscribe(welcomeEmail, {
 *   filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['UserRegistered'] }) },
 * });
 */
export class EventTopic extends Construct {
  /** The SNS topic. */
  readonly topic: sns.Topic;
  /** The key that encrypts the topic. */
  readonly masterKey: kms.IKey;
  /** Whether the topic is FIFO. */
  readonly fifo: boolean;

  constructor(scope: Construct, id: string, props: EventTopicProps = {}) {
    const problems = new Problems();
    if (props.contentBasedDeduplication && !props.fifo) {
      problems.add('contentBasedDeduplication', true, 'only on a FIFO topic (fifo: true)');
    }
    problems.throwIfAny('EventTopic'); // before super(): invalid props add nothing to the tree
    super(scope, id);

    this.fifo = props.fifo ?? false;
    this.masterKey = props.masterKey ?? new kms.Key(this, 'Key', { enableKeyRotation: true, description: `Encrypts the topic ${this.node.path}` });
    this.topic = new sns.Topic(this, 'Topic', {
      masterKey: this.masterKey,
      enforceSSL: true,
      ...(this.fifo ? { fifo: true, contentBasedDeduplication: props.contentBasedDeduplication ?? false } : {}),
      ...(props.displayName ? { displayName: props.displayName } : {}),
    });
  }

  /**
   * Delivers this topic's messages to `consumer`'s queue. The subscription gets its own
   * dead-letter queue (encrypted like the consumer's queues, 14-day retention, FIFO for
   * a FIFO topic) with a depth alarm; the queue policy admits only this topic
   * (`aws:SourceArn`), and a KMS-encrypted queue's key lets SNS use it for this topic.
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
    return { subscription, deadLetterQueue, deadLetterQueueDepthAlarm: alarm };
  }

  /**
   * Lets `grantee` publish to the topic: `sns:Publish` on it, and `kms:GenerateDataKey`
   * and `kms:Decrypt` on its key (no wildcard actions).
   */
  grantPublish(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['sns:Publish'], resourceArns: [this.topic.topicArn] }).combine(
      iam.Grant.addToPrincipal({ grantee, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resourceArns: [this.masterKey.keyArn] }),
    );
  }

  private validateSubscription(consumer: QueueConsumer, options: EventSubscriptionOptions): void {
    const problems = new Problems();
    if (!this.fifo && consumer.fifo) {
      problems.addRaw(
        `consumer: ${consumer.node.path} has a FIFO queue and topic ${this.node.path} is standard; allowed: a FIFO topic (fifo: true) for a FIFO queue (SNS standard topics cannot deliver to FIFO queues)`,
      );
    }
    if (consumer.encryptionKey && sameKey(consumer.encryptionKey, this.masterKey)) {
      problems.addRaw(
        `consumer: the queue of ${consumer.node.path} is encrypted with the key of topic ${this.node.path}; allowed: a different customer managed key ` +
          '(one key for both makes a dependency cycle: the key policy names the topic, the topic needs the key, and CloudFormation rejects the stack)',
      );
    }
    if (options.filterPolicy && options.filterPolicyWithMessageBody) {
      problems.addRaw('filterPolicy and filterPolicyWithMessageBody: both given; allowed: one of them (a subscription has one filter scope)');
    }
    problems.throwIfAny('EventTopic.subscribe');
  }
}

function sameKey(a: kms.IKey, b: kms.IKey): boolean {
  if (a === b) return true;
  return !Token.isUnresolved(a.keyArn) && a.keyArn === b.keyArn;
}
