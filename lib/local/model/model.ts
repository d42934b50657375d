/**
 * The local model of a synthesized app: what the template reader extracts from the
 * CloudFormation templates and what provisioning and the emulators run.
 *
 * Values that reference other resources are kept as raw CloudFormation values
 * ({@link CfnValue}) until provisioning knows the local URLs and ARNs.
 */

/** A CloudFormation property value: a literal, or an intrinsic such as `{ Ref }` or `{ 'Fn::GetAtt' }`. */
export type CfnValue = string | number | boolean | null | CfnValue[] | { [key: string]: CfnValue };

/** Identifies a resource across stacks. */
export interface ResourceKey {
  /** Stack artifact id, e.g. `SluiceExample`. */
  readonly stack: string;
  /** Logical id in that stack's template. */
  readonly logicalId: string;
}

/** Fields every model entry shares. */
export interface ModelResource extends ResourceKey {
  /** Construct path without the stack and `/Resource`, e.g. `RegisterUser/Function`; the logical id when unknown. */
  readonly path: string;
  /** Local physical name (the template's name property, or one derived from the stack and path). */
  readonly name: string;
}

/** An `AWS::SNS::Topic`. */
export interface TopicModel extends ModelResource {
  readonly fifo: boolean;
  readonly contentBasedDeduplication: boolean;
}

/** A queue's redrive policy, with the DLQ resolved to its model key. */
export interface RedriveModel {
  readonly deadLetterQueue: ResourceKey;
  readonly maxReceiveCount: number;
}

/** An `AWS::SQS::Queue`. */
export interface QueueModel extends ModelResource {
  readonly fifo: boolean;
  readonly contentBasedDeduplication: boolean;
  /** From the template; 30 when absent (the SQS default). */
  readonly visibilityTimeoutSeconds: number;
  readonly delaySeconds?: number;
  readonly messageRetentionPeriodSeconds?: number;
  readonly receiveMessageWaitTimeSeconds?: number;
  readonly redrive?: RedriveModel;
}

/** An `AWS::SNS::Subscription` with the `sqs` protocol. */
export interface SubscriptionModel extends ModelResource {
  readonly topic: ResourceKey;
  readonly queue: ResourceKey;
  /** The filter policy object, when there is one. */
  readonly filterPolicy?: Record<string, unknown>;
  readonly filterPolicyScope: 'MessageAttributes' | 'MessageBody';
  readonly rawMessageDelivery: boolean;
  /** The subscription's own SNS redrive DLQ. */
  readonly deadLetterQueue?: ResourceKey;
}

/** An `AWS::Lambda::Function` built from a file asset. */
export interface FunctionModel extends ModelResource {
  /** Absolute path of the bundled asset directory (what `cdk deploy` uploads). */
  readonly assetDir: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime?: string;
  /** From the template; 3 when absent (the Lambda default). */
  readonly timeoutSeconds: number;
  /** From the template; 128 when absent (the Lambda default). */
  readonly memoryMiB: number;
  /** `ReservedConcurrentExecutions`, when set: the most invocations that run at once. */
  readonly reservedConcurrency?: number;
  /** Environment variables as in the template; resolve with the provisioned resources. */
  readonly environment: Readonly<Record<string, CfnValue>>;
}

/** An `AWS::Lambda::EventSourceMapping` from an SQS queue. */
export interface EventSourceMappingModel extends ResourceKey {
  readonly queue: ResourceKey;
  readonly function: ResourceKey;
  /** From the template; 10 when absent (the SQS default). */
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  /** `ScalingConfig.MaximumConcurrency`, when set. */
  readonly maxConcurrency?: number;
  readonly reportBatchItemFailures: boolean;
  /** `FilterCriteria.Filters[].Pattern`, parsed and checked (`body` rules only); records matching none are deleted. */
  readonly filterPatterns: readonly Record<string, unknown>[];
  readonly enabled: boolean;
}

/** One key attribute of a table or index (`KeySchema`, with its type from `AttributeDefinitions`). */
export interface TableKeyModel {
  readonly name: string;
  readonly keyType: 'HASH' | 'RANGE';
}

/** A secondary index of a table: its keys and projection, as the template gives them. */
export interface TableIndexModel {
  readonly name: string;
  readonly keys: readonly TableKeyModel[];
  /** `Projection`, e.g. `{ ProjectionType: 'ALL' }`. */
  readonly projection: Readonly<Record<string, unknown>>;
}

/**
 * An `AWS::DynamoDB::Table` or `AWS::DynamoDB::GlobalTable` (what `TableV2` synthesizes),
 * created locally in the embedded DynamoDB with its keys, indexes and attribute types.
 */
export interface TableModel extends ModelResource {
  readonly keys: readonly TableKeyModel[];
  /** `AttributeDefinitions`: name → `S`, `N` or `B`. */
  readonly attributeTypes: Readonly<Record<string, string>>;
  readonly globalSecondaryIndexes: readonly TableIndexModel[];
  readonly localSecondaryIndexes: readonly TableIndexModel[];
  /** `TimeToLiveSpecification.AttributeName` when TTL is enabled. */
  readonly timeToLiveAttribute?: string;
}

/** One stack's template, kept for resolving references. */
export interface StackTemplate {
  readonly stack: string;
  readonly resources: Readonly<Record<string, { Type: string; Properties?: Record<string, CfnValue> }>>;
  /** `Outputs` with an `Export.Name`: export name → value (for `Fn::ImportValue`). */
  readonly exports: Readonly<Record<string, CfnValue>>;
}

/** Everything the local runtime needs from a synthesized app. */
export interface AppModel {
  /** The cloud assembly directory the model was read from. */
  readonly assemblyDir: string;
  readonly topics: readonly TopicModel[];
  readonly queues: readonly QueueModel[];
  readonly subscriptions: readonly SubscriptionModel[];
  readonly functions: readonly FunctionModel[];
  readonly eventSourceMappings: readonly EventSourceMappingModel[];
  /** DynamoDB tables (e.g. a `QueueConsumer`'s idempotency table); absent = none. */
  readonly tables?: readonly TableModel[];
  readonly templates: readonly StackTemplate[];
}

/** `stack/logicalId`, the map key used for model lookups. */
export function keyOf(key: ResourceKey): string {
  return `${key.stack}/${key.logicalId}`;
}
