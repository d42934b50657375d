/**
 * Builds the local {@link AppModel} from a synthesized cloud assembly: topics, queues,
 * SQS subscriptions, functions (their bundled asset directories) and SQS event source
 * mappings, with every reference resolved to a model key.
 */
import { existsSync, statSync } from 'node:fs';
import type { AssemblyStack } from './assembly.ts';
import { readAssemblyStacks } from './assembly.ts';
import { isRecord, jsonObject, literalBoolean, literalNumber, literalString, referenceOf } from './cfn-values.ts';
import { checkSqsFilterPattern } from './filter-criteria.ts';
import { AppModelError } from './errors.ts';
import type {
  AppModel, CfnValue, EventSourceMappingModel, FunctionModel, QueueModel, ResourceKey, SubscriptionModel, TableIndexModel, TableKeyModel, TableModel, TopicModel,
} from './model.ts';

type Props = Record<string, CfnValue>;

function pathOf(stack: AssemblyStack, logicalId: string): string {
  const full = stack.paths.get(logicalId);
  if (full === undefined) return logicalId;
  const parts = full.split('/').filter(Boolean);
  if (parts[0] === stack.stack) parts.shift();
  if (parts.at(-1) === 'Resource') parts.pop();
  return parts.join('/') || logicalId;
}

/** A name valid for SQS/SNS/Lambda: `[A-Za-z0-9_-]`, at most `max` characters including `suffix`. */
function localName(stack: string, path: string, suffix: string, max: number): string {
  const base = `${stack}-${path.replaceAll('/', '-')}`.replace(/[^A-Za-z0-9_-]/g, '');
  return `${base.slice(0, max - suffix.length)}${suffix}`;
}

function requireRef(value: CfnValue | undefined, stack: AssemblyStack, stacks: readonly AssemblyStack[], what: string): ResourceKey {
  const ref = referenceOf(value, stack.stack, stacks);
  if (ref === undefined) throw new AppModelError(`${stack.stack}: ${what} is not a reference to a resource of the app: ${JSON.stringify(value)}`);
  return { stack: ref.stack, logicalId: ref.logicalId };
}

function readQueue(stack: AssemblyStack, stacks: readonly AssemblyStack[], logicalId: string, p: Props): QueueModel {
  const fifo = literalBoolean(p.FifoQueue);
  const path = pathOf(stack, logicalId);
  const redrivePolicy = jsonObject(p.RedrivePolicy);
  const queue: QueueModel = {
    stack: stack.stack, logicalId, path,
    name: literalString(p.QueueName) ?? localName(stack.stack, path, fifo ? '.fifo' : '', 80),
    fifo,
    contentBasedDeduplication: literalBoolean(p.ContentBasedDeduplication),
    visibilityTimeoutSeconds: literalNumber(p.VisibilityTimeout, 30),
    ...(p.DelaySeconds !== undefined ? { delaySeconds: literalNumber(p.DelaySeconds, 0) } : {}),
    ...(p.MessageRetentionPeriod !== undefined ? { messageRetentionPeriodSeconds: literalNumber(p.MessageRetentionPeriod, 345_600) } : {}),
    ...(p.ReceiveMessageWaitTimeSeconds !== undefined ? { receiveMessageWaitTimeSeconds: literalNumber(p.ReceiveMessageWaitTimeSeconds, 0) } : {}),
  };
  if (redrivePolicy === undefined) return queue;
  const target = requireRef(redrivePolicy.deadLetterTargetArn as CfnValue, stack, stacks, `${logicalId}.RedrivePolicy.deadLetterTargetArn`);
  return { ...queue, redrive: { deadLetterQueue: target, maxReceiveCount: literalNumber(redrivePolicy.maxReceiveCount as CfnValue, 10) } };
}

function readTopic(stack: AssemblyStack, logicalId: string, p: Props): TopicModel {
  const fifo = literalBoolean(p.FifoTopic);
  const path = pathOf(stack, logicalId);
  return {
    stack: stack.stack, logicalId, path,
    name: literalString(p.TopicName) ?? localName(stack.stack, path, fifo ? '.fifo' : '', 256),
    fifo,
    contentBasedDeduplication: literalBoolean(p.ContentBasedDeduplication),
  };
}

function readSubscription(stack: AssemblyStack, stacks: readonly AssemblyStack[], logicalId: string, p: Props): SubscriptionModel {
  const filterPolicy = jsonObject(p.FilterPolicy);
  const redrive = jsonObject(p.RedrivePolicy);
  const path = pathOf(stack, logicalId);
  return {
    stack: stack.stack, logicalId, path, name: path,
    topic: requireRef(p.TopicArn, stack, stacks, `${logicalId}.TopicArn`),
    queue: requireRef(p.Endpoint, stack, stacks, `${logicalId}.Endpoint`),
    ...(filterPolicy ? { filterPolicy } : {}),
    filterPolicyScope: p.FilterPolicyScope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes',
    rawMessageDelivery: literalBoolean(p.RawMessageDelivery),
    ...(redrive ? { deadLetterQueue: requireRef(redrive.deadLetterTargetArn as CfnValue, stack, stacks, `${logicalId}.RedrivePolicy`) } : {}),
  };
}

function readFunction(stack: AssemblyStack, logicalId: string, p: Props): FunctionModel | undefined {
  const code = isRecord(p.Code) ? p.Code : {};
  const key = literalString(code.S3Key as CfnValue);
  const assetDir = key === undefined ? undefined : stack.assets.get(key);
  // Inline (ZipFile) or image functions have no local bundle to run.
  if (assetDir === undefined || !existsSync(assetDir) || !statSync(assetDir).isDirectory()) return undefined;
  const path = pathOf(stack, logicalId);
  const env = isRecord(p.Environment) && isRecord(p.Environment.Variables) ? p.Environment.Variables : {};
  const runtime = literalString(p.Runtime);
  const reserved = p.ReservedConcurrentExecutions === undefined ? undefined : literalNumber(p.ReservedConcurrentExecutions, Number.NaN);
  return {
    stack: stack.stack, logicalId, path,
    name: literalString(p.FunctionName) ?? localName(stack.stack, path, '', 64),
    assetDir,
    handler: literalString(p.Handler) ?? 'index.handler',
    ...(runtime ? { runtime } : {}),
    timeoutSeconds: literalNumber(p.Timeout, 3),
    memoryMiB: literalNumber(p.MemorySize, 128),
    ...(reserved !== undefined && Number.isInteger(reserved) && reserved >= 0 ? { reservedConcurrency: reserved } : {}),
    environment: env as Record<string, CfnValue>,
  };
}

function keysOf(value: unknown): TableKeyModel[] {
  return (Array.isArray(value) ? value : []).filter(isRecord).flatMap((k) => {
    const name = literalString(k.AttributeName as CfnValue);
    return name === undefined ? [] : [{ name, keyType: k.KeyType === 'RANGE' ? 'RANGE' as const : 'HASH' as const }];
  });
}

function indexesOf(value: unknown): TableIndexModel[] {
  return (Array.isArray(value) ? value : []).filter(isRecord).flatMap((index) => {
    const name = literalString(index.IndexName as CfnValue);
    return name === undefined ? [] : [{ name, keys: keysOf(index.KeySchema), projection: isRecord(index.Projection) ? index.Projection : { ProjectionType: 'ALL' } }];
  });
}

/** Reads an `AWS::DynamoDB::Table` or `AWS::DynamoDB::GlobalTable` (same key, index and TTL properties). */
function readTable(stack: AssemblyStack, logicalId: string, p: Props): TableModel {
  const path = pathOf(stack, logicalId);
  const ttl = isRecord(p.TimeToLiveSpecification) ? p.TimeToLiveSpecification : {};
  const ttlAttribute = literalBoolean(ttl.Enabled as CfnValue) ? literalString(ttl.AttributeName as CfnValue) : undefined;
  const definitions = (Array.isArray(p.AttributeDefinitions) ? p.AttributeDefinitions as unknown[] : []).filter(isRecord);
  return {
    stack: stack.stack, logicalId, path,
    name: literalString(p.TableName) ?? localName(stack.stack, path, '', 255),
    keys: keysOf(p.KeySchema),
    attributeTypes: Object.fromEntries(definitions.map((d) => [literalString(d.AttributeName as CfnValue) ?? '', literalString(d.AttributeType as CfnValue) ?? 'S'])),
    globalSecondaryIndexes: indexesOf(p.GlobalSecondaryIndexes),
    localSecondaryIndexes: indexesOf(p.LocalSecondaryIndexes),
    ...(ttlAttribute ? { timeToLiveAttribute: ttlAttribute } : {}),
  };
}

/** Reads a mapping; its filter patterns are checked against the SQS rules when its source is a queue of the app. */
function readMapping(stack: AssemblyStack, stacks: readonly AssemblyStack[], logicalId: string, p: Props, isQueue: (k: ResourceKey) => boolean): EventSourceMappingModel {
  const scaling = isRecord(p.ScalingConfig) ? p.ScalingConfig : {};
  const queue = requireRef(p.EventSourceArn, stack, stacks, `${logicalId}.EventSourceArn`);
  const criteria = isRecord(p.FilterCriteria) && Array.isArray(p.FilterCriteria.Filters) ? p.FilterCriteria.Filters : [];
  const parsed = criteria.map((f) => jsonObject(isRecord(f) ? f.Pattern as CfnValue : undefined));
  if (isQueue(queue)) parsed.forEach((pattern, i) => checkSqsFilterPattern(pattern, `${stack.stack}/${logicalId}`, i));
  const patterns = parsed.filter((f): f is Record<string, unknown> => f !== undefined);
  const types = Array.isArray(p.FunctionResponseTypes) ? p.FunctionResponseTypes : [];
  return {
    stack: stack.stack, logicalId,
    queue,
    function: requireRef(p.FunctionName, stack, stacks, `${logicalId}.FunctionName`),
    batchSize: literalNumber(p.BatchSize, 10),
    maxBatchingWindowSeconds: literalNumber(p.MaximumBatchingWindowInSeconds, 0),
    ...(scaling.MaximumConcurrency !== undefined ? { maxConcurrency: literalNumber(scaling.MaximumConcurrency as CfnValue, 2) } : {}),
    reportBatchItemFailures: types.includes('ReportBatchItemFailures'),
    filterPatterns: patterns,
    enabled: p.Enabled === undefined || literalBoolean(p.Enabled),
  };
}

/**
 * Reads the cloud assembly in `assemblyDir` into the local model.
 *
 * Only SQS subscriptions and SQS event source mappings are kept; functions whose code is
 * not a file asset of the assembly are skipped, and so are mappings that target them.
 *
 * @throws Error when the assembly is unreadable or a subscription/mapping references
 *   something that is not a resource of the app.
 * @throws {FilterCriteriaError} when a mapping's filter pattern is one Lambda rejects: not
 *   a JSON object, or filtering on a key other than `body`.
 */
export function readAppModel(assemblyDir: string): AppModel {
  const stacks = readAssemblyStacks(assemblyDir);
  const topics: TopicModel[] = [];
  const queues: QueueModel[] = [];
  const subscriptions: SubscriptionModel[] = [];
  const functions: FunctionModel[] = [];
  const tables: TableModel[] = [];
  const mappingResources: { stack: AssemblyStack; logicalId: string; p: Props }[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      const p: Props = resource.Properties ?? {};
      switch (resource.Type) {
        case 'AWS::SNS::Topic': topics.push(readTopic(stack, logicalId, p)); break;
        case 'AWS::SQS::Queue': queues.push(readQueue(stack, stacks, logicalId, p)); break;
        case 'AWS::SNS::Subscription':
          if (p.Protocol === 'sqs') subscriptions.push(readSubscription(stack, stacks, logicalId, p));
          break;
        case 'AWS::Lambda::Function': {
          const fn = readFunction(stack, logicalId, p);
          if (fn) functions.push(fn);
          break;
        }
        case 'AWS::Lambda::EventSourceMapping': mappingResources.push({ stack, logicalId, p }); break;
        case 'AWS::DynamoDB::Table':
        case 'AWS::DynamoDB::GlobalTable': tables.push(readTable(stack, logicalId, p)); break;
        default: break;
      }
    }
  }
  const isQueue = (k: ResourceKey): boolean => queues.some((q) => q.stack === k.stack && q.logicalId === k.logicalId);
  const isFunction = (k: ResourceKey): boolean => functions.some((f) => f.stack === k.stack && f.logicalId === k.logicalId);
  const mappings = mappingResources.map(({ stack, logicalId, p }) => readMapping(stack, stacks, logicalId, p, isQueue));
  return {
    assemblyDir,
    topics,
    queues,
    subscriptions,
    functions,
    eventSourceMappings: mappings.filter((m) => isQueue(m.queue) && isFunction(m.function)),
    tables,
    templates: stacks.map(({ stack, resources, exports }) => ({ stack, resources, exports })),
  };
}
