import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import {
  InvalidPropsError,
  MANAGED_EVENT_SOURCE_PROPS,
  MANAGED_FUNCTION_PROPS,
  MANAGED_QUEUE_PROPS,
  QueueConsumer,
  type QueueConsumerProps,
} from '../../lib/constructs/index.ts';
import { arnOf, logicalIdOf, newStack, NOOP_ENTRY, onlyResource, problemsOf, refOf } from './construct-test-app.ts';

function synth(props: Partial<QueueConsumerProps>, stack: Stack = newStack()) {
  const consumer = new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, ...props });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, { Properties: Record<string, any>; DeletionPolicy?: string }>;
  const queueId = logicalIdOf(stack, consumer.queue);
  const dlqId = logicalIdOf(stack, consumer.deadLetterQueue);
  return {
    stack,
    consumer,
    template,
    queue: resources[queueId]!,
    deadLetterQueue: resources[dlqId]!,
    fn: resources[logicalIdOf(stack, consumer.function)]!.Properties,
    queueId,
    dlqId,
  };
}

/** Every key of `table` set to "x", and the problems the construct must report for them. */
function everyKey(prefix: string, table: Readonly<Record<string, string>>): { given: never; expected: string[] } {
  return {
    given: Object.fromEntries(Object.keys(table).map((key) => [key, 'x'])) as never,
    expected: Object.entries(table).map(([key, allowed]) => `${prefix}.${key}: received "x"; allowed: ${allowed}`),
  };
}

/** Actions of the consumer role's identity policy statements. */
function roleActions(template: Template): string[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
    (policy as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[] }> } } }).Properties.PolicyDocument.Statement.flatMap((s) => [s.Action].flat()),
  );
}

describe('QueueConsumer functionProps', () => {
  it('attaches the function to a VPC and gives its role the network interface actions, without a managed policy', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const securityGroup = new ec2.SecurityGroup(stack, 'FunctionSg', { vpc });
    const { fn, template, consumer } = synth({ functionProps: { vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, securityGroups: [securityGroup] } }, stack);
    expect(fn.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [logicalIdOf(stack, securityGroup), 'GroupId'] }]);
    expect(fn.VpcConfig.SubnetIds).toHaveLength(2);
    expect(roleActions(template)).toEqual(expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface']));
    expect(template.toJSON().Resources[logicalIdOf(stack, consumer.role)].Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('leaves no unacknowledged cdk-nag finding on a consumer in a VPC with tracing', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, functionProps: { vpc, tracing: lambda.Tracing.ACTIVE } });
    const report = new AwsSolutionsChecks().validateScope(stack);
    const onConsumer = report.violations.filter((v) => v.violatingResources.some((r) => r.constructPath?.startsWith('Test/Consumer')));
    expect(onConsumer.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`)).toEqual([]);
  });

  it('passes layers, reserved concurrency, tracing, architecture, description and logging format through', () => {
    const stack = newStack();
    const layer = lambda.LayerVersion.fromLayerVersionArn(stack, 'Layer', 'arn:aws:lambda:eu-west-1:111122223333:layer:otel:3');
    const { fn, template } = synth(
      {
        functionProps: {
          layers: [layer],
          reservedConcurrentExecutions: 20,
          tracing: lambda.Tracing.ACTIVE,
          architecture: lambda.Architecture.X86_64,
          description: 'Registers users',
          loggingFormat: lambda.LoggingFormat.JSON,
        },
      },
      stack,
    );
    expect(fn).toMatchObject({
      Layers: ['arn:aws:lambda:eu-west-1:111122223333:layer:otel:3'],
      ReservedConcurrentExecutions: 20,
      TracingConfig: { Mode: 'Active' },
      Architectures: ['x86_64'],
      Description: 'Registers users',
      LoggingConfig: { LogFormat: 'JSON' },
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
    });
    expect(roleActions(template)).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
  });

  it('keeps its own settings when functionProps are given', () => {
    const { fn } = synth({ timeout: Duration.seconds(20), memorySize: 512, functionProps: { description: 'x' } });
    expect(fn).toMatchObject({ Timeout: 20, MemorySize: 512, Architectures: ['arm64'], Runtime: 'nodejs24.x' });
    expect(Object.keys(fn.Environment.Variables).sort()).toEqual(['NODE_OPTIONS', 'SLUICE_DLQ_URL', 'SLUICE_QUEUE_URL']);
  });

  it('applies logRetention to its own log group', () => {
    const { template } = synth({ functionProps: { logRetention: logs.RetentionDays.ONE_WEEK } });
    expect(onlyResource(template, 'AWS::Logs::LogGroup').properties.RetentionInDays).toBe(7);
  });

  it('writes to a given log group instead of creating one, with write access to it only', () => {
    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'SharedLogs', { retention: logs.RetentionDays.ONE_YEAR });
    const { fn, template, consumer } = synth({ functionProps: { logGroup } }, stack);
    expect(consumer.node.tryFindChild('LogGroup')).toBeUndefined();
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    const logGroupId = logicalIdOf(stack, logGroup);
    expect(fn.LoggingConfig).toEqual({ LogGroup: refOf(logGroupId) });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: arnOf(logGroupId) }]) },
    });
  });

  it('merges bundling options with its defaults: @aws-sdk/* stays external, the require banner stays first', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'sluice-bundling-'));
    try {
      const app = new App({ outdir });
      new QueueConsumer(new Stack(app, 'Test'), 'Consumer', {
        entry: new URL('./fixtures/imports-handler.ts', import.meta.url).pathname,
        functionProps: { bundling: { externalModules: ['zod'], banner: '/* built by sluice tests */' } },
      });
      app.synth();
      const assetDir = readdirSync(outdir).find((name) => name.startsWith('asset.'));
      const bundle = readFileSync(join(outdir, assetDir!, 'index.mjs'), 'utf8');
      expect(bundle.startsWith("import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url); /* built by sluice tests */")).toBe(true);
      expect(bundle).toMatch(/from\s*"@aws-sdk\/client-sqs"/);
      expect(bundle).toMatch(/from\s*"zod"/);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });

  it('fails at synth for every function prop it sets itself, naming each', () => {
    const { given, expected } = everyKey('functionProps', MANAGED_FUNCTION_PROPS);
    expect(problemsOf({ functionProps: given })).toEqual(expected);
  });

  it('fails at synth when functionProps override timeout or role, saying what to use instead', () => {
    const stack = newStack();
    const role = new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(problemsOf({ functionProps: { timeout: Duration.minutes(5), role } as never })).toEqual([
      "functionProps.timeout: received 5 minutes; allowed: nothing here: use QueueConsumer's own `timeout` prop (the queue visibility timeout is derived from it)",
      'functionProps.role: received <Test/Other>; allowed: nothing: QueueConsumer creates a least-privilege role (add statements to consumer.role, or a boundary with iam.PermissionsBoundary.of(consumer))',
    ]);
  });

  it('fails at synth when bundling changes the output format or bundles the AWS SDK', () => {
    expect(problemsOf({ functionProps: { bundling: { format: 'cjs', bundleAwsSDK: true } as never } })).toEqual([
      'functionProps.bundling.format: received "cjs"; allowed: nothing: bundles are ESM (the Sluice runtime is an ES module, and the require() banner needs import.meta.url)',
      "functionProps.bundling.bundleAwsSDK: received true; allowed: nothing: '@aws-sdk/*' stays external, the Lambda runtime provides it (to ship a pinned SDK package, list it in functionProps.bundling.nodeModules)",
    ]);
  });

  it('accepts minify and sourceMap overrides (the runtime does not depend on them)', () => {
    expect(problemsOf({ functionProps: { bundling: { minify: false, sourceMap: false } } })).toEqual([]);
  });

  it('fails at synth when logRetention and logGroup are both given', () => {
    const stack = newStack();
    expect(problemsOf({ functionProps: { logGroup: new logs.LogGroup(stack, 'Logs'), logRetention: logs.RetentionDays.ONE_DAY } })).toEqual([
      'functionProps.logRetention: received 1; allowed: nothing when functionProps.logGroup is given (set the retention on your log group)',
    ]);
  });

  it('warns when maxConcurrency exceeds the reserved concurrency', () => {
    const { stack } = synth({ maxConcurrency: 10, functionProps: { reservedConcurrentExecutions: 5 } });
    Annotations.fromStack(stack).hasWarning('/Test/Consumer', Match.stringLikeRegexp('maxConcurrency 10 is above functionProps.reservedConcurrentExecutions 5'));
  });
});

describe('QueueConsumer queueProps', () => {
  it('passes retention, delivery delay, message size and name to the main queue, keeping its own settings', () => {
    const { queue, deadLetterQueue, dlqId } = synth({
      queueProps: { retentionPeriod: Duration.days(4), deliveryDelay: Duration.seconds(10), maxMessageSizeBytes: 65_536, queueName: 'register-user' },
    });
    expect(queue.Properties).toMatchObject({
      MessageRetentionPeriod: 4 * 86_400,
      DelaySeconds: 10,
      MaximumMessageSize: 65_536,
      QueueName: 'register-user',
      VisibilityTimeout: 180,
      RedrivePolicy: { deadLetterTargetArn: arnOf(dlqId), maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
    });
    expect(deadLetterQueue.Properties).toEqual({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
  });

  it('applies removalPolicy to both queues', () => {
    const { queue, deadLetterQueue } = synth({ queueProps: { removalPolicy: RemovalPolicy.RETAIN } });
    expect([queue.DeletionPolicy, deadLetterQueue.DeletionPolicy]).toEqual(['Retain', 'Retain']);
  });

  it('sets content-based deduplication on a FIFO main queue', () => {
    const { queue, deadLetterQueue } = synth({ fifo: true, contentBasedDeduplication: true, queueProps: { deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP, fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID } });
    expect(queue.Properties).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: true, DeduplicationScope: 'messageGroup', FifoThroughputLimit: 'perMessageGroupId' });
    expect(deadLetterQueue.Properties.ContentBasedDeduplication).toBeUndefined();
  });

  it('fails at synth for every queue prop it sets itself, naming each', () => {
    const { given, expected } = everyKey('queueProps', MANAGED_QUEUE_PROPS);
    expect(problemsOf({ queueProps: given })).toEqual(expected);
  });

  it('fails at synth when queueProps override the visibility timeout, redrive or encryption', () => {
    const stack = newStack();
    expect(
      problemsOf({
        queueProps: {
          visibilityTimeout: Duration.seconds(30),
          deadLetterQueue: { queue: new sqs.Queue(stack, 'Other'), maxReceiveCount: 3 },
          encryption: sqs.QueueEncryption.KMS_MANAGED,
          encryptionMasterKey: new kms.Key(stack, 'Key'),
        } as never,
      }),
    ).toEqual([
      'queueProps.visibilityTimeout: received 30 seconds; allowed: nothing: derived from timeout (6 × timeout + maxBatchingWindow)',
      "queueProps.deadLetterQueue: received an object; allowed: nothing: QueueConsumer creates the dead-letter queue (set QueueConsumer's maxReceiveCount)",
      'queueProps.encryption: received "KMS_MANAGED"; allowed: nothing here: use QueueConsumer\'s own `encryption` prop',
      "queueProps.encryptionMasterKey: received <Test/Key>; allowed: nothing here: use QueueConsumer's own `encryptionKey` prop",
    ]);
  });

  it('rejects a key the construct sets itself even when its value is a deploy-time token', () => {
    const retention = Duration.seconds(new CfnParameter(new Stack(), 'Retention', { type: 'Number' }).valueAsNumber);
    expect(problemsOf({ queueProps: { visibilityTimeout: retention, retentionPeriod: retention } as never })).toEqual([
      'queueProps.visibilityTimeout: received a deploy-time token; allowed: nothing: derived from timeout (6 × timeout + maxBatchingWindow)',
    ]);
  });

  it('fails at synth for queue settings SQS cannot take', () => {
    expect(
      problemsOf({
        queueProps: {
          retentionPeriod: Duration.seconds(30),
          deliveryDelay: Duration.minutes(20),
          receiveMessageWaitTime: Duration.seconds(25),
          maxMessageSizeBytes: 2_097_152,
          deduplicationScope: sqs.DeduplicationScope.QUEUE,
          queueName: 'orders.fifo',
          dataKeyReuse: Duration.hours(1),
        },
      }),
    ).toEqual([
      'queueProps.retentionPeriod: received 30 seconds; allowed: 1 minute to 14 days',
      'queueProps.deliveryDelay: received 20 minutes; allowed: 0 to 15 minutes',
      'queueProps.receiveMessageWaitTime: received 25 seconds; allowed: 0 to 20 seconds',
      'queueProps.maxMessageSizeBytes: received 2097152; allowed: an integer from 1024 to 1048576',
      'queueProps.deduplicationScope: received "queue"; allowed: only on a FIFO queue (fifo: true)',
      'queueProps.queueName: received "orders.fifo"; allowed: a name not ending in ".fifo" (set fifo: true for a FIFO queue)',
      "queueProps.dataKeyReuse: received 1 hour; allowed: only with KMS encryption (encryption: 'KMS' or an encryptionKey)",
    ]);
  });

  it('fails at synth when content-based deduplication is asked of a standard queue', () => {
    expect(problemsOf({ contentBasedDeduplication: true })).toEqual(['contentBasedDeduplication: received true; allowed: only on a FIFO queue (fifo: true)']);
  });

  it('warns when messages may expire before their last receive', () => {
    const { stack } = synth({ queueProps: { retentionPeriod: Duration.minutes(5) } });
    Annotations.fromStack(stack).hasWarning(
      '/Test/Consumer',
      Match.stringLikeRegexp('queueProps.retentionPeriod is 5 minutes, shorter than maxReceiveCount × visibility timeout \\(900 seconds\\)'),
    );
  });
});

describe('QueueConsumer eventSourceProps', () => {
  it('passes enabled and filterEncryption through to the event source mapping', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'FilterKey', { enableKeyRotation: true });
    const filters = [lambda.FilterCriteria.filter({ body: { type: ['UserRegistered'] } })];
    const { template } = synth({ filters, eventSourceProps: { enabled: false, filterEncryption: key } }, stack);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Enabled: false,
      KmsKeyArn: arnOf(logicalIdOf(stack, key)),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('fails at synth when filterEncryption is given without filters', () => {
    const stack = newStack();
    expect(problemsOf({ eventSourceProps: { filterEncryption: new kms.Key(stack, 'FilterKey') } })).toEqual([
      'eventSourceProps.filterEncryption: received <Test/FilterKey>; allowed: only with filters (the key encrypts the filter criteria)',
    ]);
  });

  it('fails at synth when eventSourceProps turn off batch item failure reporting', () => {
    expect(problemsOf({ eventSourceProps: { reportBatchItemFailures: false } as never })).toEqual([
      'eventSourceProps.reportBatchItemFailures: received false; allowed: nothing: always on (the Sluice runtime answers with partial batch responses; without the setting Lambda deletes every message of a batch that returns)',
    ]);
  });

  it('fails at synth for every event source prop it sets itself, naming each', () => {
    const { given, expected } = everyKey('eventSourceProps', MANAGED_EVENT_SOURCE_PROPS);
    expect(problemsOf({ eventSourceProps: given })).toEqual(expected);
  });
});

describe('QueueConsumer pass-through validation', () => {
  it('reports pass-through problems together with the other props, in one error', () => {
    const create = () =>
      new QueueConsumer(newStack(), 'Consumer', {
        entry: NOOP_ENTRY,
        batchSize: 0,
        functionProps: { memorySize: 1024 } as never,
        queueProps: { fifo: true } as never,
        eventSourceProps: { batchSize: 5 } as never,
      });
    expect(create).toThrow(InvalidPropsError);
    expect(create).toThrow(/batchSize: received 0.*\n.*functionProps\.memorySize: received 1024.*\n.*queueProps\.fifo: received true.*\n.*eventSourceProps\.batchSize: received 5/);
  });
});
