import { CfnParameter } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { EventTopic, QueueConsumer, type QueueConsumerProps } from '../../lib/constructs/index.ts';
import { arnOf, errorOf, logicalIdOf, newStack, NOOP_ENTRY, onlyResource, refOf } from './construct-test-app.ts';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:user-events';
const FIFO_TOPIC_ARN = 'arn:aws:sns:us-east-1:111122223333:orders.fifo';
const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

function subscribeImported(topicArn: string, consumerProps: Partial<QueueConsumerProps> = {}, options: Parameters<EventTopic['subscribe']>[1] = {}) {
  const stack = newStack();
  const topic = EventTopic.fromTopic(stack, 'UserEvents', sns.Topic.fromTopicArn(stack, 'Imported', topicArn));
  const consumer = new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, ...consumerProps });
  const subscription = topic.subscribe(consumer, options);
  return {
    stack,
    topic,
    consumer,
    subscription,
    template: Template.fromStack(stack),
    queueId: logicalIdOf(stack, consumer.queue),
    subscriptionDlqId: logicalIdOf(stack, subscription.deadLetterQueue),
  };
}

describe('EventTopic.fromTopic', () => {
  it('subscribes a consumer to an existing topic with its own subscription dead-letter queue', () => {
    const { template, queueId, subscriptionDlqId } = subscribeImported(TOPIC_ARN);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      TopicArn: TOPIC_ARN,
      Endpoint: arnOf(queueId),
      RedrivePolicy: { deadLetterTargetArn: arnOf(subscriptionDlqId) },
    });
    expect(template.toJSON().Resources[subscriptionDlqId].Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
  });

  it('creates no topic, topic key or topic policy', () => {
    const { template } = subscribeImported(TOPIC_ARN);
    for (const type of ['AWS::SNS::Topic', 'AWS::SNS::TopicPolicy', 'AWS::KMS::Key']) template.resourceCountIs(type, 0);
  });

  it('lets only the imported topic send to the queue and to the subscription dead-letter queue', () => {
    const { template, queueId, subscriptionDlqId } = subscribeImported(TOPIC_ARN);
    for (const id of [queueId, subscriptionDlqId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [refOf(id)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Action: 'sqs:SendMessage',
              Principal: { Service: 'sns.amazonaws.com' },
              Resource: arnOf(id),
              Condition: { ArnEquals: { 'aws:SourceArn': TOPIC_ARN } },
            },
          ]),
        },
      });
    }
  });

  it('alarms on the subscription dead-letter queue under the imported topic construct', () => {
    const { stack } = subscribeImported(TOPIC_ARN);
    expect(stack.node.tryFindChild('UserEvents')?.node.tryFindChild('ConsumerSubscription')?.node.tryFindChild('DeadLetterQueueDepthAlarm')).toBeDefined();
  });

  it('renders filter policies and raw message delivery', () => {
    const { template } = subscribeImported(TOPIC_ARN, {}, {
      rawMessageDelivery: true,
      filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['UserRegistered'] }) },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { RawMessageDelivery: true, FilterPolicy: { eventType: ['UserRegistered'] } });
  });

  it('lets SNS use a KMS consumer key for the imported topic only', () => {
    const { template, consumer, stack } = subscribeImported(TOPIC_ARN, { encryption: 'KMS' });
    const keyId = logicalIdOf(stack, consumer.encryptionKey as kms.Key);
    expect(template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
      Principal: { Service: 'sns.amazonaws.com' },
      Resource: '*',
      Condition: { ArnEquals: { 'aws:SourceArn': TOPIC_ARN } },
    });
  });

  it('treats a topic whose ARN ends in .fifo as FIFO, with a FIFO subscription dead-letter queue', () => {
    const { template, topic, subscriptionDlqId } = subscribeImported(FIFO_TOPIC_ARN, { fifo: true });
    expect(topic.fifo).toBe(true);
    expect(template.toJSON().Resources[subscriptionDlqId].Properties.FifoQueue).toBe(true);
  });

  it('takes fifo from the options when the topic ARN is a deploy-time value', () => {
    const stack = newStack();
    const arn = new CfnParameter(stack, 'OrdersTopicArn', { type: 'String' }).valueAsString;
    const topic = EventTopic.fromTopic(stack, 'Orders', sns.Topic.fromTopicArn(stack, 'Imported', arn), { fifo: true });
    const { deadLetterQueue } = topic.subscribe(new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, fifo: true }));
    expect(Template.fromStack(stack).toJSON().Resources[logicalIdOf(stack, deadLetterQueue)].Properties.FifoQueue).toBe(true);
  });

  it('fails at synth when a standard imported topic is subscribed to a FIFO queue', () => {
    const stack = newStack();
    const topic = EventTopic.fromTopic(stack, 'UserEvents', sns.Topic.fromTopicArn(stack, 'Imported', TOPIC_ARN));
    const consumer = new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, fifo: true });
    expect(errorOf(() => topic.subscribe(consumer)).problems).toEqual([
      'consumer: received <Test/Consumer>; allowed: a consumer with a standard queue: topic Test/UserEvents is standard, and SNS standard topics cannot deliver to FIFO queues (subscribe a FIFO queue to a FIFO topic, fifo: true)',
    ]);
  });

  it('fails at synth when options.fifo is false for a topic whose ARN ends in .fifo', () => {
    const stack = newStack();
    const imported = sns.Topic.fromTopicArn(stack, 'Imported', FIFO_TOPIC_ARN);
    expect(errorOf(() => EventTopic.fromTopic(stack, 'Orders', imported, { fifo: false })).problems).toEqual([
      'fifo: received false; allowed: true or nothing: the topic ARN ends in .fifo',
    ]);
  });

  it('grants only sns:Publish on a topic whose key it does not know', () => {
    const stack = newStack();
    const topic = EventTopic.fromTopic(stack, 'UserEvents', sns.Topic.fromTopicArn(stack, 'Imported', TOPIC_ARN));
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    topic.grantPublish(role);
    const policy = onlyResource(Template.fromStack(stack), 'AWS::IAM::Policy');
    expect((policy.properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC_ARN }]);
  });

  it('grants the key too when the imported topic carries it', () => {
    const stack = newStack();
    const imported = sns.Topic.fromTopicAttributes(stack, 'Imported', { topicArn: TOPIC_ARN, keyArn: KEY_ARN });
    const topic = EventTopic.fromTopic(stack, 'UserEvents', imported);
    expect(topic.masterKey?.keyArn).toBe(KEY_ARN);
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    topic.grantPublish(role);
    const policy = onlyResource(Template.fromStack(stack), 'AWS::IAM::Policy');
    expect((policy.properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual([
      { Effect: 'Allow', Action: 'sns:Publish', Resource: TOPIC_ARN },
      { Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: KEY_ARN },
    ]);
  });

  it('subscribes to a topic of another construct in the same app, keeping the shared-key check', () => {
    const stack = newStack();
    const source = new EventTopic(stack, 'Source');
    const topic = EventTopic.fromTopic(stack, 'Reused', source.topic);
    const consumer = new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, encryptionKey: source.masterKey });
    expect(errorOf(() => topic.subscribe(consumer)).problems[0]).toMatch(/^consumer: received <Test\/Consumer>; allowed: a consumer whose queue is not encrypted with the key of topic Test\/Reused /);
  });
});
