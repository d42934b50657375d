/**
 * Typed fixture builders with the exact shapes Lambda's SQS event source delivers: SQS records and
 * events, SNS envelopes, FIFO events and a Lambda context with a controllable clock.
 * Exported as `sluice/testing`; never imported by the runtime itself.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { LambdaContext, SqsEvent, SqsMessageAttribute, SqsRecord, SqsRecordAttributes } from './types.ts';

/** A message attribute value: a string, bytes (Binary), or the full SQS shape. */
export type AttributeInit = string | Uint8Array | SqsMessageAttribute;

/** What `sqsRecord` accepts; every field is optional. */
export interface SqsRecordInit {
  /** A string is used as is; anything else is JSON-stringified. @default '{}' */
  body?: unknown;
  /** @default a random UUID */
  messageId?: string;
  /** @default 'arn:aws:sqs:us-east-1:123456789012:sluice-test' (`.fifo` added for FIFO) */
  queueArn?: string;
  /** @default 1 */
  receiveCount?: number;
  /** FIFO message group; adds `MessageGroupId`, `SequenceNumber`, `MessageDeduplicationId`. */
  groupId?: string;
  /** @default the body's SHA-256 (content-based deduplication) */
  deduplicationId?: string;
  /** @default a sequence number increasing per call */
  sequenceNumber?: string;
  /** Message attributes by name. */
  messageAttributes?: Record<string, AttributeInit>;
  /** Overrides of the system attributes. */
  attributes?: Partial<SqsRecordAttributes>;
  /** @default Date.now() */
  sentTimestamp?: number;
}

/** The default queue ARN of the builders. */
export const TEST_QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:sluice-test';
let sequence = 10_000_000_000_000_000n;

function toAttribute(value: AttributeInit): SqsMessageAttribute {
  if (typeof value === 'string') return { stringValue: value, stringListValues: [], binaryListValues: [], dataType: 'String' };
  if (value instanceof Uint8Array) {
    return { binaryValue: Buffer.from(value).toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' };
  }
  return value;
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length);
  return Buffer.concat([len, bytes]);
}

/**
 * MD5 of message attributes, computed the way SQS does: attributes sorted by name, each
 * encoded as length-prefixed name, length-prefixed data type, a transport byte (1 string,
 * 2 binary) and the length-prefixed value.
 *
 * @returns the hex digest, or `null` when there are no attributes (as Lambda delivers it)
 */
export function md5OfMessageAttributes(attributes: Record<string, SqsMessageAttribute>): string | null {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return null;
  const hash = createHash('md5');
  for (const name of names) {
    const a = attributes[name]!;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(a.dataType, 'utf8')));
    if (a.binaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      hash.update(lengthPrefixed(Buffer.from(a.binaryValue, 'base64')));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(a.stringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}

/**
 * Builds one SQS record exactly as Lambda delivers it.
 *
 * @example
 * const record = sqsRecord({ body: { userId: 'u-1' }, messageAttributes: { eventType: 'UserRegistered' } });
 */
export function sqsRecord(init: SqsRecordInit = {}): SqsRecord {
  const body = init.body === undefined ? '{}' : typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
  const fifo = init.groupId !== undefined;
  const queueArn = init.queueArn ?? (fifo ? `${TEST_QUEUE_ARN}.fifo` : TEST_QUEUE_ARN);
  const sent = String(init.sentTimestamp ?? Date.now());
  const attributes: SqsRecordAttributes = {
    ApproximateReceiveCount: String(init.receiveCount ?? 1),
    SentTimestamp: sent,
    SenderId: 'AROAEXAMPLE:sluice-test',
    ApproximateFirstReceiveTimestamp: sent,
  };
  if (fifo) {
    attributes.SequenceNumber = init.sequenceNumber ?? String(sequence++);
    attributes.MessageGroupId = init.groupId;
    attributes.MessageDeduplicationId = init.deduplicationId ?? createHash('sha256').update(body).digest('hex');
  }
  Object.assign(attributes, init.attributes);
  const messageAttributes: Record<string, SqsMessageAttribute> = {};
  for (const [name, value] of Object.entries(init.messageAttributes ?? {})) messageAttributes[name] = toAttribute(value);
  return {
    messageId: init.messageId ?? randomUUID(),
    receiptHandle: `AQEB${Buffer.from(randomUUID()).toString('base64')}`,
    body,
    attributes,
    messageAttributes,
    md5OfBody: createHash('md5').update(body, 'utf8').digest('hex'),
    md5OfMessageAttributes: md5OfMessageAttributes(messageAttributes),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: queueArn.split(':')[3] ?? 'us-east-1',
  };
}

/**
 * Builds an SQS event from records or record inits.
 *
 * @example
 * const event = sqsEvent([{ body: { n: 1 } }, { body: 'not json' }]);
 */
export function sqsEvent(records: readonly (SqsRecord | SqsRecordInit)[] = []): SqsEvent {
  return { Records: records.map((r) => (isRecord(r) ? r : sqsRecord(r))) };
}

function isRecord(r: SqsRecord | SqsRecordInit): r is SqsRecord {
  return (r as SqsRecord).eventSource === 'aws:sqs' && typeof (r as SqsRecord).receiptHandle === 'string';
}

/** What `snsEnvelope` accepts beside the message. */
export interface SnsEnvelopeInit {
  /** @default 'arn:aws:sns:us-east-1:123456789012:sluice-test' */
  topicArn?: string;
  subject?: string;
  /** @default a random UUID */
  messageId?: string;
  /** @default now, ISO 8601 */
  timestamp?: string;
  /** SNS message attributes, name → string value. */
  messageAttributes?: Record<string, string>;
}

/** The JSON object SNS puts in an SQS body when raw message delivery is off. */
export interface SnsEnvelope {
  Type: 'Notification';
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  UnsubscribeURL: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

/**
 * Builds an SNS notification envelope around a message (a string, or JSON-stringified).
 *
 * @example
 * const record = sqsRecord({ body: snsEnvelope({ userId: 'u-1' }, { subject: 'signup' }) });
 */
export function snsEnvelope(message: unknown, init: SnsEnvelopeInit = {}): SnsEnvelope {
  const topicArn = init.topicArn ?? 'arn:aws:sns:us-east-1:123456789012:sluice-test';
  const region = topicArn.split(':')[3] ?? 'us-east-1';
  const envelope: SnsEnvelope = {
    Type: 'Notification',
    MessageId: init.messageId ?? randomUUID(),
    TopicArn: topicArn,
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: init.timestamp ?? new Date().toISOString(),
    SignatureVersion: '1',
    Signature: Buffer.from('sluice-test-signature').toString('base64'),
    SigningCertURL: `https://sns.${region}.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem`,
    UnsubscribeURL: `https://sns.${region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topicArn}:${randomUUID()}`,
  };
  if (init.subject !== undefined) envelope.Subject = init.subject;
  if (init.messageAttributes !== undefined) {
    envelope.MessageAttributes = Object.fromEntries(
      Object.entries(init.messageAttributes).map(([k, v]) => [k, { Type: 'String', Value: v }]),
    );
  }
  return envelope;
}

/**
 * Builds a FIFO event: every record on a `.fifo` queue with a group id, sequence numbers
 * increasing in record order.
 *
 * @example
 * const event = fifoEvent([{ groupId: 'order-1', body: { step: 1 } }, { groupId: 'order-1', body: { step: 2 } }]);
 */
export function fifoEvent(records: readonly (SqsRecordInit & { groupId: string })[]): SqsEvent {
  return sqsEvent(records.map((r) => ({ ...r, queueArn: r.queueArn ?? `${TEST_QUEUE_ARN}.fifo` })));
}

/** What `lambdaContext` accepts. */
export interface LambdaContextInit {
  /** The function timeout. @default 30000 */
  timeoutMs?: number;
  /** The clock, in milliseconds; pass your own to control the deadline. @default Date.now */
  now?: () => number;
  /** @default 'sluice-test' */
  functionName?: string;
  /** @default 128 */
  memoryLimitInMB?: number;
}

/**
 * Builds a Lambda context whose `getRemainingTimeInMillis()` follows `now`: the
 * deadline is `now()` at creation + `timeoutMs`.
 *
 * @example
 * let t = 0;
 * const context = lambdaContext({ timeoutMs: 3000, now: () => t });
 * t += 2500; // context.getRemainingTimeInMillis() === 500
 */
export function lambdaContext(init: LambdaContextInit = {}): LambdaContext {
  const now = init.now ?? Date.now;
  const timeoutMs = init.timeoutMs ?? 30_000;
  const deadline = now() + timeoutMs;
  const functionName = init.functionName ?? 'sluice-test';
  const noop = (): void => {};
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: String(init.memoryLimitInMB ?? 128),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `2026/01/01/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: noop,
    fail: noop,
    succeed: noop,
  };
}
