/**
 * Creates an app's topics, queues and SQS subscriptions in the embedded server, with the
 * template's attributes (FIFO, visibility timeout, redrive policies, filter policies, raw
 * delivery, subscription DLQs), and its DynamoDB tables in the embedded DynamoDB when
 * given one, and resolves local URLs and ARNs.
 */
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { resolveCfnValue } from './model/index.ts';
import type { Reference } from './model/index.ts';
import type { EmbeddedDynamoDb, LocalTable } from './embedded-dynamodb.ts';
import { createLocalTables } from './embedded-dynamodb.ts';
import type { EmbeddedServer } from './embedded-server.ts';
import { LOCAL_ACCOUNT_ID, localClientConfig } from './embedded-server.ts';
import type { AppModel, FunctionModel, QueueModel, ResourceKey, SubscriptionModel, TopicModel } from './model/index.ts';
import { keyOf } from './model/index.ts';
import { LocalRuntimeError } from './errors.ts';

/** A queue created locally. */
export interface LocalQueue {
  readonly model: QueueModel;
  readonly url: string;
  readonly arn: string;
  /** The visibility timeout applied locally (the template's, times `visibilityScale`). */
  readonly visibilityTimeoutSeconds: number;
}

/** A topic created locally. */
export interface LocalTopic {
  readonly model: TopicModel;
  readonly arn: string;
}

/** A subscription created locally. */
export interface LocalSubscription {
  readonly model: SubscriptionModel;
  readonly arn: string;
}

/** Options of {@link provisionApp}. */
export interface ProvisionOptions {
  /**
   * Factor applied to every queue's visibility timeout (rounded up, at least 1 s), to
   * compress time in local runs. Printed by `sluice dev`.
   * @default 1 (the template's values)
   */
  readonly visibilityScale?: number;
  /**
   * The embedded DynamoDB: the app's tables are created in it, references to them resolve
   * to its names and ARNs, and every function's `AWS_ENDPOINT_URL_DYNAMODB` points at it.
   * @default - no tables are created (references resolve to stand-ins)
   */
  readonly dynamoDb?: Pick<EmbeddedDynamoDb, 'endpoint' | 'region'>;
}

/** The app as created in the embedded server, with lookups by model key. */
export interface ProvisionedApp {
  readonly model: AppModel;
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly visibilityScale: number;
  readonly queues: readonly LocalQueue[];
  readonly topics: readonly LocalTopic[];
  readonly subscriptions: readonly LocalSubscription[];
  /** Tables created in the embedded DynamoDB (none without `dynamoDb`). */
  readonly tables: readonly LocalTable[];
  /** @throws Error when `key` is not a queue of the app. */
  queue(key: ResourceKey): LocalQueue;
  /** @throws Error when `key` is not a topic of the app. */
  topic(key: ResourceKey): LocalTopic;
  /** The local ARN of a function. */
  functionArn(fn: FunctionModel): string;
  /** The function's template environment with references resolved to local values. */
  functionEnvironment(fn: FunctionModel): Record<string, string>;
}

/** Local URL of a queue: the server endpoint, the account and the name (any SQS client can use it). */
export function localQueueUrl(endpoint: string, name: string): string {
  return `${endpoint}/${LOCAL_ACCOUNT_ID}/${name}`;
}

function scaled(seconds: number, scale: number): number {
  if (scale === 1) return seconds;
  return Math.min(43_200, Math.max(1, Math.ceil(seconds * scale)));
}

function queueAttributes(q: QueueModel, visibility: number): Record<string, string> {
  const attrs: Record<string, string> = { VisibilityTimeout: String(visibility) };
  if (q.fifo) {
    attrs.FifoQueue = 'true';
    attrs.ContentBasedDeduplication = String(q.contentBasedDeduplication);
  }
  if (q.delaySeconds !== undefined) attrs.DelaySeconds = String(q.delaySeconds);
  if (q.messageRetentionPeriodSeconds !== undefined) attrs.MessageRetentionPeriod = String(q.messageRetentionPeriodSeconds);
  if (q.receiveMessageWaitTimeSeconds !== undefined) attrs.ReceiveMessageWaitTimeSeconds = String(q.receiveMessageWaitTimeSeconds);
  return attrs;
}

/**
 * Creates the app's topics, queues and SQS subscriptions in the embedded server.
 *
 * @throws Error when two queues or topics resolve to the same local name, or the server rejects a resource.
 */
export async function provisionApp(model: AppModel, server: Pick<EmbeddedServer, 'endpoint' | 'region'>, options: ProvisionOptions = {}): Promise<ProvisionedApp> {
  const scale = options.visibilityScale ?? 1;
  if (!(scale > 0)) throw new LocalRuntimeError(`visibilityScale must be > 0; received ${String(scale)}.`);
  const config = localClientConfig(server);
  const sqs = new SQSClient(config);
  const sns = new SNSClient(config);
  const arn = (service: string, name: string): string => `arn:aws:${service}:${server.region}:${LOCAL_ACCOUNT_ID}:${name}`;
  const queues = new Map<string, LocalQueue>();
  const topics = new Map<string, LocalTopic>();
  const subscriptions: LocalSubscription[] = [];
  try {
    const names = new Set<string>();
    for (const q of model.queues) {
      if (names.has(q.name)) throw new LocalRuntimeError(`Two queues of the app resolve to the local name '${q.name}'.`);
      names.add(q.name);
      const visibility = scaled(q.visibilityTimeoutSeconds, scale);
      await sqs.send(new CreateQueueCommand({ QueueName: q.name, Attributes: queueAttributes(q, visibility) }));
      queues.set(keyOf(q), { model: q, url: localQueueUrl(server.endpoint, q.name), arn: arn('sqs', q.name), visibilityTimeoutSeconds: visibility });
    }
    const lookupQueue = (key: ResourceKey): LocalQueue => {
      const q = queues.get(keyOf(key));
      if (q === undefined) throw new LocalRuntimeError(`${keyOf(key)} is not a queue of the app.`);
      return q;
    };
    for (const q of queues.values()) {
      if (q.model.redrive === undefined) continue;
      const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: lookupQueue(q.model.redrive.deadLetterQueue).arn, maxReceiveCount: q.model.redrive.maxReceiveCount });
      await sqs.send(new SetQueueAttributesCommand({ QueueUrl: q.url, Attributes: { RedrivePolicy } }));
    }
    for (const t of model.topics) {
      const Attributes: Record<string, string> = t.fifo ? { FifoTopic: 'true', ContentBasedDeduplication: String(t.contentBasedDeduplication) } : {};
      const created = await sns.send(new CreateTopicCommand({ Name: t.name, Attributes }));
      topics.set(keyOf(t), { model: t, arn: created.TopicArn ?? arn('sns', t.name) });
    }
    const lookupTopic = (key: ResourceKey): LocalTopic => {
      const t = topics.get(keyOf(key));
      if (t === undefined) throw new LocalRuntimeError(`${keyOf(key)} is not a topic of the app.`);
      return t;
    };
    for (const s of model.subscriptions) {
      const Attributes: Record<string, string> = { RawMessageDelivery: String(s.rawMessageDelivery) };
      if (s.filterPolicy) {
        Attributes.FilterPolicy = JSON.stringify(s.filterPolicy);
        Attributes.FilterPolicyScope = s.filterPolicyScope;
      }
      if (s.deadLetterQueue) Attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: lookupQueue(s.deadLetterQueue).arn });
      const created = await sns.send(new SubscribeCommand({
        TopicArn: lookupTopic(s.topic).arn, Protocol: 'sqs', Endpoint: lookupQueue(s.queue).arn, Attributes, ReturnSubscriptionArn: true,
      }));
      subscriptions.push({ model: s, arn: created.SubscriptionArn ?? `${lookupTopic(s.topic).arn}:${s.logicalId}` });
    }
    const tables = options.dynamoDb ? await createLocalTables(model.tables ?? [], options.dynamoDb) : [];
    const functionArn = (fn: FunctionModel): string => `arn:aws:lambda:${server.region}:${LOCAL_ACCOUNT_ID}:function:${fn.name}`;
    const attribute = (ref: Reference): string | undefined => {
      const q = queues.get(keyOf(ref));
      if (q) return ref.attribute === 'Arn' ? q.arn : ref.attribute === 'QueueName' ? q.model.name : q.url;
      const t = topics.get(keyOf(ref));
      if (t) return ref.attribute === 'TopicName' ? t.model.name : t.arn;
      const fn = model.functions.find((f) => keyOf(f) === keyOf(ref));
      if (fn) return ref.attribute === 'Arn' ? functionArn(fn) : fn.name;
      const sub = subscriptions.find((s) => keyOf(s.model) === keyOf(ref));
      if (sub) return sub.arn;
      const table = tables.find((tb) => keyOf(tb.model) === keyOf(ref));
      if (table) return ref.attribute === 'Ref' ? table.name : ref.attribute === 'Arn' ? table.arn : `${table.arn}/${ref.attribute}`;
      // Anything else (keys, roles, tables): a stable stand-in, so a value that is only logged still resolves.
      return ref.attribute === 'Ref' ? ref.logicalId : arn('local', `${ref.logicalId}/${ref.attribute}`);
    };
    const ctx = { region: server.region, accountId: LOCAL_ACCOUNT_ID, templates: model.templates, attribute };
    return {
      model, endpoint: server.endpoint, region: server.region, accountId: LOCAL_ACCOUNT_ID, visibilityScale: scale,
      queues: [...queues.values()], topics: [...topics.values()], subscriptions, tables,
      queue: lookupQueue, topic: lookupTopic, functionArn,
      functionEnvironment(fn: FunctionModel): Record<string, string> {
        const env: Record<string, string> = {};
        for (const [name, value] of Object.entries(fn.environment)) env[name] = resolveCfnValue(value, fn.stack, ctx, `${fn.path}.Environment.${name}`);
        // The SDK's DynamoDB endpoint (over AWS_ENDPOINT_URL, the SNS/SQS server): never AWS from a local run.
        if (options.dynamoDb) env.AWS_ENDPOINT_URL_DYNAMODB = options.dynamoDb.endpoint;
        return env;
      },
    };
  } finally {
    sqs.destroy();
    sns.destroy();
  }
}
