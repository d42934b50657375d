/**
 * `EventTopic`: an encrypted, TLS-only SNS topic whose `subscribe()` connects a
 * {@link QueueConsumer} with its own subscription dead-letter queue; `EventTopic.fromTopic`
 * gives an existing topic the same `subscribe()`.
 */
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { EventTopicBase, type IEventTopic } from './event-topic-base.ts';
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

/** Options of {@link EventTopic.fromTopic}. */
export interface EventTopicImportOptions {
  /**
   * Whether the topic is FIFO. CDK tells a FIFO topic only by the `.fifo` suffix of a
   * concrete ARN; set this when the ARN is a deploy-time value (a parameter, an SSM
   * parameter, an export).
   * @default - `topic.fifo`
   */
  readonly fifo?: boolean;
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
export class EventTopic extends EventTopicBase {
  /**
   * An existing topic (imported, or from another construct) that consumers subscribe to
   * with the same `subscribe()`: a dead-letter queue per subscription, filter policies,
   * raw delivery.
   *
   * What it does not do to a topic it did not create: encrypt it or manage its key (and
   * its rotation and key policy), or add the TLS-only (or any) topic policy. It knows the topic's key only when the `ITopic` carries it
   * (`sns.Topic.fromTopicAttributes(scope, id, { topicArn, keyArn })`); only then does
   * `grantPublish()` grant the key, and a KMS-encrypted topic needs it. A topic of another
   * account must let this account subscribe (`sns:Subscribe` in its topic policy).
   *
   * @param topic the topic, e.g. from `sns.Topic.fromTopicArn` or `fromTopicAttributes`
   * @returns a topic whose `subscribe()` and `grantPublish()` behave as EventTopic's
   * @throws {InvalidPropsError} when `options.fifo` contradicts the topic ARN
   *
   * @example
   * const topic = sns.Topic.fromTopicArn(this, 'Imported', 'arn:aws:sns:eu-west-1:111122223333:user-events');
   * EventTopic.fromTopic(this, 'UserEvents', topic).subscribe(registerUser, { rawMessageDelivery: true });
   */
  static fromTopic(scope: Construct, id: string, topic: sns.ITopic, options: EventTopicImportOptions = {}): IEventTopic {
    const problems = new Problems();
    if (topic.fifo) problems.check({ fifo: { values: [true], allowed: 'true or nothing: the topic ARN ends in .fifo' } }, options);
    problems.throwIfAny('EventTopic.fromTopic');
    return new ImportedEventTopic(scope, id, topic, options.fifo ?? topic.fifo);
  }

  /** The SNS topic. */
  readonly topic: sns.Topic;
  /** The key that encrypts the topic. */
  readonly masterKey: kms.IKey;
  /** Whether the topic is FIFO. */
  readonly fifo: boolean;

  constructor(scope: Construct, id: string, props: EventTopicProps = {}) {
    const problems = new Problems();
    if (!props.fifo) problems.check({ contentBasedDeduplication: { values: [false], allowed: 'only on a FIFO topic (fifo: true)' } }, props);
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
}

/** A topic EventTopic did not create, with EventTopic's `subscribe()` and `grantPublish()`. */
class ImportedEventTopic extends EventTopicBase {
  readonly topic: sns.ITopic;
  readonly masterKey?: kms.IKey;
  readonly fifo: boolean;

  constructor(scope: Construct, id: string, topic: sns.ITopic, fifo: boolean) {
    super(scope, id);
    this.topic = topic;
    this.fifo = fifo;
    if (topic.masterKey) this.masterKey = topic.masterKey;
  }
}
