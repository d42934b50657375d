import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { QueueConsumer, type QueueConsumerProps } from '../../lib/constructs/index.ts';
import { arnOf, logicalIdOf, NOOP_ENTRY, newStack, onlyResource, refOf } from './construct-test-app.ts';

function synth(props: Partial<QueueConsumerProps> = {}) {
  const stack = newStack();
  const consumer = new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, ...props });
  const template = Template.fromStack(stack);
  return {
    stack,
    consumer,
    template,
    queueId: logicalIdOf(stack, consumer.queue),
    dlqId: logicalIdOf(stack, consumer.deadLetterQueue),
    functionId: logicalIdOf(stack, consumer.function),
  };
}

/** Statements of the consumer role's identity policies. */
function roleStatements(template: Template): Array<{ Action: string | string[]; Resource: unknown; Effect: string }> {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => (policy as { Properties: { PolicyDocument: { Statement: [] } } }).Properties.PolicyDocument.Statement,
  );
}

describe('QueueConsumer', () => {
  it('always maps the queue with ReportBatchItemFailures', () => {
    const { template, queueId, functionId } = synth();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: arnOf(queueId),
      FunctionName: refOf(functionId),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });

  it('derives the visibility timeout as 6 × function timeout + batching window', () => {
    const { template, queueId } = synth({ timeout: Duration.seconds(45), batchSize: 100, maxBatchingWindow: Duration.seconds(10) });
    expect(template.toJSON().Resources[queueId].Properties.VisibilityTimeout).toBe(6 * 45 + 10);
  });

  it('uses 6 × the default 30 s timeout when no timeout is given', () => {
    const { template, queueId, functionId } = synth();
    expect(template.toJSON().Resources[queueId].Properties.VisibilityTimeout).toBe(180);
    expect(template.toJSON().Resources[functionId].Properties.Timeout).toBe(30);
  });

  it('redrives to its own dead-letter queue after 5 receives by default', () => {
    const { template, queueId, dlqId } = synth();
    expect(template.toJSON().Resources[queueId].Properties.RedrivePolicy).toEqual({ deadLetterTargetArn: arnOf(dlqId), maxReceiveCount: 5 });
  });

  it('uses the given maxReceiveCount', () => {
    const { template, queueId } = synth({ maxReceiveCount: 8 });
    expect(template.toJSON().Resources[queueId].Properties.RedrivePolicy.maxReceiveCount).toBe(8);
  });

  it('keeps dead-lettered messages for 14 days', () => {
    const { template, dlqId } = synth();
    expect(template.toJSON().Resources[dlqId].Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
  });

  it('encrypts both queues with SSE-SQS by default and creates no KMS key', () => {
    const { template, queueId, dlqId } = synth();
    for (const id of [queueId, dlqId]) {
      expect(template.toJSON().Resources[id].Properties).toMatchObject({ SqsManagedSseEnabled: true });
      expect(template.toJSON().Resources[id].Properties.KmsMasterKeyId).toBeUndefined();
    }
    template.resourceCountIs('AWS::KMS::Key', 0);
  });

  it('encrypts both queues with a new rotating customer managed key for KMS encryption', () => {
    const { template, queueId, dlqId, consumer, stack } = synth({ encryption: 'KMS' });
    const key = onlyResource(template, 'AWS::KMS::Key');
    expect(key.properties.EnableKeyRotation).toBe(true);
    expect(key.id).toBe(logicalIdOf(stack, consumer.encryptionKey as never));
    for (const id of [queueId, dlqId]) {
      expect(template.toJSON().Resources[id].Properties.KmsMasterKeyId).toEqual(arnOf(key.id));
    }
  });

  it('lets the function use the KMS key only to read and to send to its DLQ', () => {
    const { template } = synth({ encryption: 'KMS' });
    const key = onlyResource(template, 'AWS::KMS::Key');
    const kmsStatements = roleStatements(template).filter((s) => [s.Action].flat().some((a) => a.startsWith('kms:')));
    expect([...new Set(kmsStatements.flatMap((s) => [s.Action].flat()))].sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    for (const statement of kmsStatements) expect(statement.Resource).toEqual(arnOf(key.id));
  });

  it('denies every queue action without TLS on both queues', () => {
    const { template, queueId, dlqId } = synth();
    for (const id of [queueId, dlqId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [refOf(id)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Principal: { AWS: '*' }, Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('runs the function on nodejs24.x and arm64 with the given memory', () => {
    const { template, functionId } = synth({ memorySize: 1024 });
    expect(template.toJSON().Resources[functionId].Properties).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
    });
  });

  it('sets SLUICE_DLQ_URL and SLUICE_QUEUE_URL to its own queues, keeps the given environment and enables source maps', () => {
    const { template, functionId, queueId, dlqId } = synth({ environment: { API_URL: 'https://api.example.com' } });
    expect(template.toJSON().Resources[functionId].Properties.Environment.Variables).toEqual({
      SLUICE_DLQ_URL: refOf(dlqId),
      SLUICE_QUEUE_URL: refOf(queueId),
      API_URL: 'https://api.example.com',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('grants the function only consume on its queue, send on its DLQ and writes to its own log group', () => {
    const { template, queueId, dlqId, consumer, stack } = synth();
    const logGroupId = logicalIdOf(stack, consumer.node.findChild('LogGroup') as never);
    const byResource = new Map<string, string[]>();
    for (const statement of roleStatements(template)) {
      expect(statement.Effect).toBe('Allow');
      const key = JSON.stringify(statement.Resource);
      byResource.set(key, [...(byResource.get(key) ?? []), ...[statement.Action].flat()].sort());
    }
    expect(Object.fromEntries(byResource)).toEqual({
      [JSON.stringify(arnOf(queueId))]: ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:ReceiveMessage'],
      [JSON.stringify(arnOf(dlqId))]: ['sqs:SendMessage'],
      [JSON.stringify(arnOf(logGroupId))]: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    });
  });

  it('attaches no managed policy to the function role', () => {
    const { template } = synth();
    const role = onlyResource(template, 'AWS::IAM::Role');
    expect(role.properties.ManagedPolicyArns).toBeUndefined();
  });

  it('renders batch size, batching window and maxConcurrency on the mapping', () => {
    const { template } = synth({ batchSize: 500, maxBatchingWindow: Duration.seconds(20), maxConcurrency: 50 });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 20,
      ScalingConfig: { MaximumConcurrency: 50 },
    });
  });

  it('renders provisioned pollers on the mapping', () => {
    const { template } = synth({ provisionedPollers: { minimumPollers: 5, maximumPollers: 100 } });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      ProvisionedPollerConfig: { MinimumPollers: 5, MaximumPollers: 100 },
      ScalingConfig: Match.absent(),
    });
  });

  it('makes both queues FIFO for a FIFO consumer', () => {
    const { template, queueId, dlqId, consumer } = synth({ fifo: true });
    expect(consumer.fifo).toBe(true);
    for (const id of [queueId, dlqId]) expect(template.toJSON().Resources[id].Properties.FifoQueue).toBe(true);
  });

  it('alarms when the dead-letter queue holds any message', () => {
    const { template, dlqId } = synth();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
  });

  it('alarms when the oldest message is older than 15 minutes by default, or the given threshold', () => {
    const age = (template: Template, queueId: string) =>
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: Match.anyValue(),
      });
    const byDefault = synth();
    age(byDefault.template, byDefault.queueId);
    expect(byDefault.template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 900 } })).not.toEqual({});
    const custom = synth({ alarms: { oldestMessageAgeThreshold: Duration.minutes(2) } });
    expect(custom.template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ApproximateAgeOfOldestMessage', Threshold: 120 } })).not.toEqual({});
  });

  it('alarms on function errors', () => {
    const { template, functionId } = synth();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: refOf(functionId) }],
      Threshold: 0,
    });
  });

  it('sends every alarm state change to the alarm topic when one is given', () => {
    const stack = newStack();
    const alarmTopic = new sns.Topic(stack, 'AlarmTopic');
    new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, alarms: { alarmTopic } });
    const template = Template.fromStack(stack);
    const topicRef = refOf(logicalIdOf(stack, alarmTopic));
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({ AlarmActions: [topicRef], OKActions: [topicRef] });
    }
  });

  it('gives its alarms no actions without an alarm topic', () => {
    const { template } = synth();
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });

  it('warns when maxReceiveCount is below 5', () => {
    const { stack } = synth({ maxReceiveCount: 3 });
    Annotations.fromStack(stack).hasWarning('/Test/Consumer', Match.stringLikeRegexp('maxReceiveCount is 3; AWS recommends at least 5'));
  });

  it('emits no warning with the default maxReceiveCount', () => {
    const { stack } = synth();
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});
