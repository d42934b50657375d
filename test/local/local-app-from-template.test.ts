/**
 * The template path end to end: synthesize a CDK app in-process, read its cloud assembly,
 * provision it on the embedded server, then SNS fan-out with a filter policy, raw
 * delivery, and FIFO group order through the emulator and the bundled asset.
 */
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClientConfig, startEmbeddedServer } from '../../lib/local/index.ts';
import type { EmbeddedServer } from '../../lib/local/index.ts';
import { startLocalFunctions } from '../../lib/local/index.ts';
import type { LocalFunctions } from '../../lib/local/index.ts';
import type { AppModel } from '../../lib/local/model/index.ts';
import { provisionApp } from '../../lib/local/index.ts';
import type { ProvisionedApp } from '../../lib/local/index.ts';
import { synthesizeApp } from '../../lib/local/model/index.ts';
import type { SynthesizedApp } from '../../lib/local/model/index.ts';
import { readAppModel } from '../../lib/local/model/index.ts';
import { buildFixtureApp } from '../fixtures/local-app/app.ts';
import { waitFor } from '../helpers/local-runtime.ts';
import type { Invocation } from '../helpers/local-runtime.ts';

let synthesized: SynthesizedApp;
let model: AppModel;
let server: EmbeddedServer;
let app: ProvisionedApp;
let sqs: SQSClient;
let sns: SNSClient;
beforeAll(async () => {
  synthesized = synthesizeApp({ build: buildFixtureApp });
  model = readAppModel(synthesized.assemblyDir);
  server = await startEmbeddedServer({ port: 0 });
  app = await provisionApp(model, server);
  sqs = new SQSClient(localClientConfig(server));
  sns = new SNSClient(localClientConfig(server));
});
afterAll(async () => {
  sqs.destroy();
  sns.destroy();
  await server.stop();
  synthesized.cleanup();
});

const byPath = <T extends { path: string }>(items: readonly T[], path: string): T => {
  const found = items.find((i) => i.path === path);
  if (!found) throw new Error(`no ${path}`);
  return found;
};

describe('template reader', () => {
  it('reads queues, topics, subscriptions, functions and mappings from the cloud assembly', () => {
    const queue = byPath(model.queues, 'EchoQueue');
    expect(queue).toMatchObject({ fifo: false, visibilityTimeoutSeconds: 60, redrive: { maxReceiveCount: 4, deadLetterQueue: { logicalId: byPath(model.queues, 'EchoDlq').logicalId } } });
    expect(byPath(model.queues, 'OrdersQueue')).toMatchObject({ fifo: true, name: 'FixtureStack-OrdersQueue.fifo' });
    expect(byPath(model.topics, 'Orders')).toMatchObject({ fifo: true, contentBasedDeduplication: true, name: 'orders.fifo' });
    const sub = model.subscriptions.find((s) => s.queue.logicalId === queue.logicalId);
    expect(sub).toMatchObject({ rawMessageDelivery: true, filterPolicy: { eventType: ['UserRegistered'] }, filterPolicyScope: 'MessageAttributes', deadLetterQueue: { logicalId: byPath(model.queues, 'EchoSubscriptionDlq').logicalId } });
    const echo = byPath(model.functions, 'Echo');
    expect(echo).toMatchObject({ handler: 'index.handler', timeoutSeconds: 10, memoryMiB: 256 });
    expect(echo.assetDir.startsWith(synthesized.assemblyDir)).toBe(true);
    const mapping = model.eventSourceMappings.find((m) => m.function.logicalId === echo.logicalId);
    expect(mapping).toMatchObject({ batchSize: 5, maxBatchingWindowSeconds: 1, maxConcurrency: 3, reportBatchItemFailures: true, filterPatterns: [{ body: { kind: ['keep'] } }] });
  });

  it('resolves Ref, GetAtt, Fn::Join and pseudo parameters in the environment to local values', () => {
    expect(app.functionEnvironment(byPath(model.functions, 'Echo'))).toEqual({
      QUEUE_URL: app.queue(byPath(model.queues, 'EchoQueue')).url,
      DLQ_ARN: `arn:aws:sqs:${server.region}:000000000000:FixtureStack-EchoDlq`,
      TOPIC_ARN: app.topic(byPath(model.topics, 'UserEvents')).arn,
      PLAIN: 'x',
    });
    expect(app.functionEnvironment(byPath(model.functions, 'OrderLog')).FIXTURE_FLAG)
      .toBe(`${app.topic(byPath(model.topics, 'Orders')).arn}|FixtureStack-OrdersQueue.fifo|${server.region}`);
  });
});

describe('provisioned SNS fan-out', () => {
  it('delivers only messages that pass the filter policy, raw, with SNS attributes as SQS attributes', async () => {
    const queue = app.queue(byPath(model.queues, 'EchoQueue'));
    const topicArn = app.topic(byPath(model.topics, 'UserEvents')).arn;
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{"kind":"keep","n":1}', MessageAttributes: { eventType: { DataType: 'String', StringValue: 'UserRegistered' } } }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{"kind":"keep","n":2}', MessageAttributes: { eventType: { DataType: 'String', StringValue: 'UserDeleted' } } }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, MessageAttributeNames: ['All'] }));
    expect(received.Messages?.map((m) => m.Body)).toEqual(['{"kind":"keep","n":1}']);
    expect(received.Messages?.[0]?.MessageAttributes?.eventType?.StringValue).toBe('UserRegistered');
    const rest = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages'] }));
    expect(rest.Attributes?.ApproximateNumberOfMessages).toBe('0');
  });
});

describe('FIFO end to end', () => {
  let running: LocalFunctions;
  const invocations: Invocation[] = [];
  afterAll(async () => { await running.stop(); });

  it('processes each message group strictly in order, holding a group behind its failed message', async () => {
    running = startLocalFunctions(app, {
      onLog: (fn, line) => { if (fn === 'OrderLog') invocations.push((JSON.parse(line) as { invocation: Invocation }).invocation); },
    });
    const topicArn = app.topic(byPath(model.topics, 'Orders')).arn;
    const groups = ['g1', 'g2', 'g3'];
    for (let step = 0; step < 4; step++) {
      for (const group of groups) {
        const mode = group === 'g2' && step === 1 ? 'fail-once' : 'ok';
        await sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify({ mode, group, step }), MessageGroupId: group }));
      }
    }
    const orderLog = running.functions.find((f) => f.displayName === 'OrderLog')!;
    await waitFor(() => orderLog.emulators[0]!.counters.succeeded === 12, 20_000, '12 order steps processed');
    const processed = new Map<string, number[]>();
    const seen = new Map<string, number[]>();
    for (const inv of invocations) {
      inv.bodies.forEach((b, i) => {
        const envelope = JSON.parse(b) as { Type: string; Message: string };
        expect(envelope.Type).toBe('Notification');
        const { group, step, mode } = JSON.parse(envelope.Message) as { group: string; step: number; mode: string };
        seen.set(group, [...(seen.get(group) ?? []), step]);
        const failed = mode === 'fail-once' && inv.receiveCounts[i] === '1';
        if (!failed) processed.set(group, [...(processed.get(group) ?? []), step]);
      });
    }
    for (const group of groups) expect(processed.get(group)).toEqual([0, 1, 2, 3]);
    // g2's step 1 failed once and came back before steps 2 and 3 were ever delivered.
    expect(seen.get('g2')).toEqual([0, 1, 1, 2, 3]);
    expect(invocations.every((inv) => new Set(inv.groups).size === inv.groups.length)).toBe(true);
  });
});
