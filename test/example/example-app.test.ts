/**
 * The example app as `npx cdk synth` builds it: real handlers bundled with esbuild, the
 * `cdk.json` feature flags, cdk-nag's AwsSolutionsChecks. Checks the deploy-time
 * properties over every resource of the template rather than one construct at a time.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, type Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventTopic } from '../../lib/constructs/index.ts';
import { QueueConsumer } from '../../lib/constructs/index.ts';
import { buildApp } from '../../lib/example/index.ts';
import { EXAMPLE } from '../../lib/example/index.ts';

// Synthesized template JSON is untyped (`Template.toJSON()` returns `any`); the assertions below narrow it.
type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

let outdir: string;
let app: App;
let stack: Stack;
let resources: Record<string, Resource>;
let parameters: Record<string, unknown>;

const ofType = (type: string): Array<[string, Resource]> => Object.entries(resources).filter(([, r]) => r.Type === type);
const refTarget = (value: unknown): string | undefined =>
  (value as { Ref?: string })?.Ref ?? (value as { 'Fn::GetAtt'?: [string, string] })?.['Fn::GetAtt']?.[0];
const actionsOf = (s: Statement): string[] => [s.Action].flat();

/** Every `Ref`/`Fn::GetAtt` target inside `value`. */
function references(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) for (const item of value) references(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') into.add(inner);
      else if (key === 'Fn::GetAtt' && Array.isArray(inner)) into.add(String(inner[0]));
      else references(inner, into);
    }
  }
  return into;
}

/** Allow statements of every identity policy: AWS::IAM::Policy, ManagedPolicy and role inline policies. */
function identityStatements(): Statement[] {
  const docs = [
    ...ofType('AWS::IAM::Policy').map(([, r]) => r.Properties.PolicyDocument),
    ...ofType('AWS::IAM::ManagedPolicy').map(([, r]) => r.Properties.PolicyDocument),
    ...ofType('AWS::IAM::Role').flatMap(([, r]) => (r.Properties.Policies ?? []).map((p: { PolicyDocument: unknown }) => p.PolicyDocument)),
  ];
  return docs.flatMap((doc: { Statement: Statement[] }) => doc.Statement).filter((s) => s.Effect === 'Allow');
}

function hasTlsDeny(statements: Statement[], action: string): boolean {
  return statements.some(
    (s: Statement & { Condition?: { Bool?: Record<string, string> } }) =>
      s.Effect === 'Deny' && actionsOf(s).includes(action) && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
  );
}

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'sluice-example-'));
  app = buildApp({ outdir });
  stack = app.node.findChild(EXAMPLE.stackName) as Stack;
  const template = Template.fromStack(stack).toJSON();
  resources = template.Resources;
  parameters = template.Parameters ?? {};
});

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe('example app', () => {
  it('has no unacknowledged cdk-nag AwsSolutions finding', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`)).toEqual([]);
    const written = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: Array<{ violations?: unknown[] }> };
    expect(written.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
  });

  it('fails synth when a cdk-nag finding is left unacknowledged (the check is live)', () => {
    const probe = buildApp({ context: { 'aws:cdk:bundling-stacks': [] } });
    const probeStack = probe.node.findChild(EXAMPLE.stackName) as Stack;
    // An unencrypted, DLQ-less queue without a TLS policy breaks three AwsSolutions rules.
    new sqs.Queue(probeStack, 'Unsafe', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    expect(() => probe.synth()).toThrow(/AwsSolutions-SQS2/);
  });

  it('acknowledges only SQS3 on the subscription dead-letter queues, each with a reason', () => {
    const acknowledged: Array<[string, string, string]> = [];
    for (const construct of stack.node.findAll()) {
      for (const entry of construct.node.metadata) {
        if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) acknowledged.push([construct.node.path, id.replace(/^annotation::/i, ''), reason]);
      }
    }
    expect(acknowledged.map(([path, id]) => `${path} ${id}`).sort()).toEqual([
      'SluiceExample/Orders/FulfilOrderSubscription/DeadLetterQueue AwsSolutions-SQS3',
      'SluiceExample/UserEvents/RegisterUserSubscription/DeadLetterQueue AwsSolutions-SQS3',
      'SluiceExample/UserEvents/WelcomeEmailSubscription/DeadLetterQueue AwsSolutions-SQS3',
    ]);
    for (const [, , reason] of acknowledged) expect(reason).toMatch(/dead-letter queue of an SNS subscription/);
  });

  it('synthesizes without CDK warnings or errors', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
  });

  it('has no dependency cycle and no reference to a missing resource', () => {
    const edges = new Map<string, string[]>();
    for (const [id, resource] of Object.entries(resources)) {
      const targets = [...references(resource.Properties), ...(resource.DependsOn ?? [])];
      for (const target of targets) {
        const known = target in resources || target in parameters || target.startsWith('AWS::');
        expect(known, `${id} references missing ${target}`).toBe(true);
      }
      edges.set(id, targets.filter((t) => t in resources));
    }
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (id: string, path: string[]): void => {
      if (state.get(id) === 'done') return;
      if (state.get(id) === 'visiting') throw new Error(`dependency cycle: ${[...path, id].join(' → ')}`);
      state.set(id, 'visiting');
      for (const next of edges.get(id) ?? []) visit(next, [...path, id]);
      state.set(id, 'done');
    };
    for (const id of edges.keys()) visit(id, []);
  });

  it('maps three consumers, each reporting batch item failures', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(3);
    for (const [, mapping] of mappings) expect(mapping.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
  });

  it('gives every consumed queue a visibility timeout ≥ 6 × function timeout + window and a redrive after ≥ 5 receives', () => {
    for (const [, mapping] of ofType('AWS::Lambda::EventSourceMapping')) {
      const queue = resources[refTarget(mapping.Properties.EventSourceArn)!]!;
      const fn = resources[refTarget(mapping.Properties.FunctionName)!]!;
      const window = mapping.Properties.MaximumBatchingWindowInSeconds ?? 0;
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Properties.Timeout + window);
      expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBeGreaterThanOrEqual(5);
      expect(resources[refTarget(queue.Properties.RedrivePolicy.deadLetterTargetArn)!]?.Type).toBe('AWS::SQS::Queue');
    }
  });

  it('runs every mapped function on nodejs24.x arm64 with SLUICE_DLQ_URL set to its own queue’s DLQ', () => {
    for (const [, mapping] of ofType('AWS::Lambda::EventSourceMapping')) {
      const queueId = refTarget(mapping.Properties.EventSourceArn)!;
      const fn = resources[refTarget(mapping.Properties.FunctionName)!]!;
      const dlqId = refTarget(resources[queueId]!.Properties.RedrivePolicy.deadLetterTargetArn);
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Environment.Variables.SLUICE_DLQ_URL).toEqual({ Ref: dlqId });
      expect(fn.Properties.Environment.Variables.SLUICE_QUEUE_URL).toEqual({ Ref: queueId });
    }
  });

  it('encrypts every queue and denies non-TLS access to it', () => {
    const policies = ofType('AWS::SQS::QueuePolicy').map(([, r]) => r.Properties);
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(9);
    for (const [id, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled === true || queue.Properties.KmsMasterKeyId !== undefined, id).toBe(true);
      const own = policies.filter((p) => p.Queues.some((q: unknown) => refTarget(q) === id));
      expect(own.some((p) => hasTlsDeny(p.PolicyDocument.Statement, 'sqs:*')), id).toBe(true);
    }
  });

  it('encrypts every topic with a customer managed key and denies publishing without TLS', () => {
    const policies = ofType('AWS::SNS::TopicPolicy').map(([, r]) => r.Properties);
    for (const [id, topic] of ofType('AWS::SNS::Topic')) {
      expect(resources[refTarget(topic.Properties.KmsMasterKeyId)!]?.Type, id).toBe('AWS::KMS::Key');
      const own = policies.filter((p) => p.Topics.some((t: unknown) => refTarget(t) === id));
      expect(own.some((p) => hasTlsDeny(p.PolicyDocument.Statement, 'sns:Publish')), id).toBe(true);
    }
  });

  it('never encrypts a topic with the key of a queue it delivers to', () => {
    for (const [, subscription] of ofType('AWS::SNS::Subscription')) {
      const topicKey = refTarget(resources[refTarget(subscription.Properties.TopicArn)!]!.Properties.KmsMasterKeyId);
      const queueKey = refTarget(resources[refTarget(subscription.Properties.Endpoint)!]!.Properties.KmsMasterKeyId);
      expect(queueKey).not.toBe(topicKey);
    }
  });

  it('grants no wildcard action, no SQS/SNS/KMS action on *, and attaches no managed policy', () => {
    const statements = identityStatements();
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      for (const action of actionsOf(statement)) expect(action).not.toContain('*');
      if ([statement.Resource].flat().includes('*')) {
        expect(actionsOf(statement).filter((a) => /^(sqs|sns|kms):/.test(a))).toEqual([]);
      }
    }
    for (const [id, role] of ofType('AWS::IAM::Role')) expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
  });

  it('gives every SNS→SQS subscription a redrive dead-letter queue', () => {
    const subscriptions = ofType('AWS::SNS::Subscription');
    expect(subscriptions).toHaveLength(3);
    for (const [id, subscription] of subscriptions) {
      expect(subscription.Properties.Protocol).toBe('sqs');
      expect(resources[refTarget(subscription.Properties.RedrivePolicy?.deadLetterTargetArn)!]?.Type, id).toBe('AWS::SQS::Queue');
    }
  });

  it('alarms on the depth of every dead-letter queue, subscription DLQs included', () => {
    const dlqs = new Set([
      ...ofType('AWS::SQS::Queue').map(([, q]) => refTarget(q.Properties.RedrivePolicy?.deadLetterTargetArn)),
      ...ofType('AWS::SNS::Subscription').map(([, s]) => refTarget(s.Properties.RedrivePolicy?.deadLetterTargetArn)),
    ].filter((id): id is string => id !== undefined));
    expect(dlqs.size).toBe(6);
    const alarmed = new Set(
      ofType('AWS::CloudWatch::Alarm')
        .filter(([, a]) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && a.Properties.Threshold === 0 && a.Properties.ComparisonOperator === 'GreaterThanThreshold')
        .map(([, a]) => refTarget(a.Properties.Dimensions[0].Value)),
    );
    for (const dlq of dlqs) expect(alarmed.has(dlq), dlq).toBe(true);
  });

  it('filters welcome-email on the message body: UserRegistered events of users who opted in', () => {
    const welcomeQueue = (stack.node.findChild(EXAMPLE.consumers.welcomeEmail) as QueueConsumer).queue;
    const queueId = stack.getLogicalId(welcomeQueue.node.defaultChild as never);
    const [, subscription] = ofType('AWS::SNS::Subscription').find(([, s]) => refTarget(s.Properties.Endpoint) === queueId)!;
    expect(subscription.Properties).toMatchObject({ FilterPolicyScope: 'MessageBody', FilterPolicy: { type: ['UserRegistered'], marketingOptIn: [true] } });
  });

  it('keeps the documented construct ids: topics UserEvents and FIFO Orders, consumers RegisterUser, WelcomeEmail and FIFO FulfilOrder', () => {
    expect(stack.stackName).toBe('SluiceExample');
    const topic = (id: string) => stack.node.findChild(id) as EventTopic;
    const consumer = (id: string) => stack.node.findChild(id) as QueueConsumer;
    expect(topic('UserEvents')).toBeInstanceOf(EventTopic);
    expect(topic('Orders').fifo).toBe(true);
    expect(consumer('RegisterUser')).toBeInstanceOf(QueueConsumer);
    expect(consumer('WelcomeEmail')).toBeInstanceOf(QueueConsumer);
    expect(consumer('FulfilOrder').fifo).toBe(true);
  });

  it('passes IDENTITY_API_URL to register-user from context, with a default', () => {
    const url = (context: Record<string, unknown>) => {
      const probe = buildApp({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
      const probeStack = probe.node.findChild(EXAMPLE.stackName) as Stack;
      const fn = (probeStack.node.findChild('RegisterUser') as QueueConsumer).function;
      return probeStack.resolve((fn.node.defaultChild as lambda.CfnFunction).environment).variables.IDENTITY_API_URL;
    };
    expect(url({})).toBe('https://identity.example.com');
    expect(url({ identityApiUrl: 'https://id.internal.test' })).toBe('https://id.internal.test');
  });

  it('bundles each handler locally as minified ESM with a source map and the AWS SDK left external', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const asset = join(outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, '')}`);
      expect(existsSync(join(asset, 'index.mjs')), id).toBe(true);
      expect(existsSync(join(asset, 'index.mjs.map')), id).toBe(true);
      const code = readFileSync(join(asset, 'index.mjs'), 'utf8');
      expect(code.split('\n').length, id).toBeLessThan(20);
      expect(code).toMatch(/import\("@aws-sdk\/client-sqs"\)/);
      expect(code).not.toMatch(/class SQSClient/);
    }
  });
});
