import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { EventTopic, type EventSubscriptionOptions, type EventTopicProps } from '../../lib/constructs/index.ts';
import { QueueConsumer, type QueueConsumerProps } from '../../lib/constructs/index.ts';
import { arnOf, errorOf, logicalIdOf, newStack, NOOP_ENTRY, onlyResource, refOf } from './construct-test-app.ts';

function synth(topicProps: EventTopicProps = {}, consumerProps: Partial<QueueConsumerProps> = {}, options: EventSubscriptionOptions = {}) {
  const stack = newStack();
  const topic = new EventTopic(stack, 'Events', topicProps);
  const consumer = new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, ...consumerProps });
  const subscription = topic.subscribe(consumer, options);
  const template = Template.fromStack(stack);
  return {
    stack,
    template,
    topic,
    consumer,
    subscription,
    topicId: logicalIdOf(stack, topic.topic),
    subscriptionDlqId: logicalIdOf(stack, subscription.deadLetterQueue),
    queueId: logicalIdOf(stack, consumer.queue),
  };
}

describe('EventTopic', () => {
  it('encrypts the topic with its own customer managed key with rotation', () => {
    const { template, topicId, topic, stack } = synth();
    const keyId = logicalIdOf(stack, topic.masterKey as kms.Key);
    expect(template.toJSON().Resources[keyId].Properties.EnableKeyRotation).toBe(true);
    expect(template.toJSON().Resources[topicId].Properties.KmsMasterKeyId).toEqual(arnOf(keyId));
  });

  it('denies publishing without TLS', () => {
    const { template, topicId } = synth();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [refOf(topicId)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Principal: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('creates a FIFO topic whose name ends in .fifo', () => {
    const { template, topicId } = synth({ fifo: true }, { fifo: true });
    const properties = template.toJSON().Resources[topicId].Properties;
    expect(properties.FifoTopic).toBe(true);
    expect(properties.TopicName).toMatch(/\.fifo$/);
  });

  it('gives each subscription its own dead-letter queue as redrive policy', () => {
    const { template, topicId, queueId, subscriptionDlqId } = synth();
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: refOf(topicId),
      Endpoint: arnOf(queueId),
      RedrivePolicy: { deadLetterTargetArn: arnOf(subscriptionDlqId) },
    });
  });

  it('encrypts the subscription dead-letter queue like the consumer and keeps messages 14 days', () => {
    const { template, subscriptionDlqId } = synth();
    expect(template.toJSON().Resources[subscriptionDlqId].Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
  });

  it('lets only this topic send to the subscription dead-letter queue, over TLS', () => {
    const { template, subscriptionDlqId, topicId } = synth();
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [refOf(subscriptionDlqId)],
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          {
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'sns.amazonaws.com' },
            Resource: arnOf(subscriptionDlqId),
            Condition: { ArnEquals: { 'aws:SourceArn': refOf(topicId) } },
          },
        ],
      },
    });
  });

  it('alarms when the subscription dead-letter queue holds any message, notifying the consumer alarm topic', () => {
    const stack = newStack();
    const alarmTopic = new sns.Topic(stack, 'AlarmTopic');
    const topic = new EventTopic(stack, 'Events');
    const { deadLetterQueue } = topic.subscribe(new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, alarms: { alarmTopic } }));
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalIdOf(stack, deadLetterQueue), 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [refOf(logicalIdOf(stack, alarmTopic))],
    });
  });

  it('makes the subscription dead-letter queue FIFO for a FIFO topic', () => {
    const { template, subscriptionDlqId } = synth({ fifo: true }, { fifo: true });
    expect(template.toJSON().Resources[subscriptionDlqId].Properties.FifoQueue).toBe(true);
  });

  it('lets a FIFO topic deliver to a standard queue, with a FIFO subscription dead-letter queue', () => {
    const { template, subscriptionDlqId } = synth({ fifo: true }, { fifo: false });
    expect(template.toJSON().Resources[subscriptionDlqId].Properties.FifoQueue).toBe(true);
  });

  it('lets only this topic send to the consumer queue', () => {
    const { template, queueId, topicId } = synth();
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [refOf(queueId)],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: 'sqs:SendMessage',
            Principal: { Service: 'sns.amazonaws.com' },
            Resource: arnOf(queueId),
            Condition: { ArnEquals: { 'aws:SourceArn': refOf(topicId) } },
          },
        ]),
      },
    });
  });

  it('lets SNS use a KMS consumer key for this topic only, and encrypts the subscription DLQ with it', () => {
    const { template, consumer, stack, topicId, subscriptionDlqId } = synth({}, { encryption: 'KMS' });
    const consumerKeyId = logicalIdOf(stack, consumer.encryptionKey as kms.Key);
    expect(template.toJSON().Resources[consumerKeyId].Properties.KeyPolicy.Statement).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Principal: { Service: 'sns.amazonaws.com' },
      Resource: '*',
      Condition: { ArnEquals: { 'aws:SourceArn': refOf(topicId) } },
    });
    expect(template.toJSON().Resources[subscriptionDlqId].Properties.KmsMasterKeyId).toEqual(arnOf(consumerKeyId));
  });

  it('synthesizes a KMS consumer subscription without warnings (no dependency cycle)', () => {
    const { stack } = synth({}, { encryption: 'KMS' });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('renders an attribute filter policy', () => {
    const { template } = synth({}, {}, { filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['UserRegistered'] }) } });
    template.hasResourceProperties('AWS::SNS::Subscription', { FilterPolicy: { eventType: ['UserRegistered'] }, FilterPolicyScope: Match.absent() });
  });

  it('renders a message body filter policy with the MessageBody scope', () => {
    const { template } = synth({}, {}, { filterPolicyWithMessageBody: { marketingOptIn: sns.FilterOrPolicy.filter(new sns.SubscriptionFilter([true])) } });
    template.hasResourceProperties('AWS::SNS::Subscription', { FilterPolicy: { marketingOptIn: [true] }, FilterPolicyScope: 'MessageBody' });
  });

  it('turns on raw message delivery when asked', () => {
    const { template } = synth({}, {}, { rawMessageDelivery: true });
    template.hasResourceProperties('AWS::SNS::Subscription', { RawMessageDelivery: true });
  });

  it('grants publish with explicit actions on the topic and its key only', () => {
    const stack = newStack();
    const topic = new EventTopic(stack, 'Events');
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    topic.grantPublish(role);
    const policy = onlyResource(Template.fromStack(stack), 'AWS::IAM::Policy');
    expect((policy.properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      { Effect: 'Allow', Action: 'sns:Publish', Resource: refOf(logicalIdOf(stack, topic.topic)) },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: arnOf(logicalIdOf(stack, topic.masterKey as kms.Key)) },
    ]);
  });

  it('fails at synth when a standard topic is subscribed to a FIFO queue', () => {
    const stack = newStack();
    const topic = new EventTopic(stack, 'Events');
    const consumer = new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, fifo: true });
    expect(errorOf(() => topic.subscribe(consumer)).problems).toEqual([
      'consumer: received <Test/Consumer>; allowed: a consumer with a standard queue: topic Test/Events is standard, and SNS standard topics cannot deliver to FIFO queues (subscribe a FIFO queue to a FIFO topic, fifo: true)',
    ]);
  });

  it('fails at synth when the topic and the queue it writes to share a KMS key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Shared', { enableKeyRotation: true });
    const topic = new EventTopic(stack, 'Events', { masterKey: key });
    const consumer = new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, encryptionKey: key });
    const error = errorOf(() => topic.subscribe(consumer));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^consumer: received <Test\/Consumer>; allowed: a consumer whose queue is not encrypted with the key of topic Test\/Events .*dependency cycle/);
  });

  it('fails at synth when an imported key with the same ARN encrypts both the topic and the queue', () => {
    const stack = newStack();
    const arn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const topic = new EventTopic(stack, 'Events', { masterKey: kms.Key.fromKeyArn(stack, 'TopicKey', arn) });
    const consumer = new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, encryptionKey: kms.Key.fromKeyArn(stack, 'QueueKey', arn) });
    expect(errorOf(() => topic.subscribe(consumer)).problems).toHaveLength(1);
  });

  it('fails at synth when both filter scopes are given', () => {
    const stack = newStack();
    const topic = new EventTopic(stack, 'Events');
    const consumer = new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY });
    const filter = sns.SubscriptionFilter.stringFilter({ allowlist: ['a'] });
    expect(errorOf(() => topic.subscribe(consumer, { filterPolicy: { a: filter }, filterPolicyWithMessageBody: { a: sns.FilterOrPolicy.filter(filter) } })).problems).toEqual([
      'filterPolicyWithMessageBody: received an object; allowed: nothing with filterPolicy (a subscription has one filter scope)',
    ]);
  });

  it('fails at synth when content-based deduplication is asked of a standard topic', () => {
    expect(errorOf(() => new EventTopic(newStack(), 'Events', { contentBasedDeduplication: true })).problems).toEqual([
      'contentBasedDeduplication: received true; allowed: only on a FIFO topic (fifo: true)',
    ]);
  });
});
