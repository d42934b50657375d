/**
 * Converts a message from `ReceiveMessage` into the record Lambda's SQS event source
 * delivers: lower-camel fields, string attributes, message attributes with
 * `stringValue`/`binaryValue` (base64) and empty list values, `eventSource: 'aws:sqs'`.
 */
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import { SluiceError } from '../../lambda/runtime/index.ts';
import type { SqsMessageAttribute, SqsRecord, SqsRecordAttributes } from '../../lambda/runtime/index.ts';

/** A received message lacks a field every SQS message has (code `INVALID_MESSAGE`). */
export class InvalidMessageError extends SluiceError {
  constructor(message: string) {
    super('INVALID_MESSAGE', message);
    this.name = 'InvalidMessageError';
  }
}

const base64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

function toRecordAttribute(value: MessageAttributeValue): SqsMessageAttribute {
  return {
    ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
    ...(value.BinaryValue !== undefined ? { binaryValue: base64(value.BinaryValue) } : {}),
    stringListValues: [],
    binaryListValues: [],
    dataType: value.DataType ?? 'String',
  };
}

function toRecordAttributes(attrs: Message['Attributes']): SqsRecordAttributes {
  const a: Partial<Record<string, string>> = attrs ?? {};
  const sent = a.SentTimestamp ?? String(Date.now());
  const out: SqsRecordAttributes = {
    ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
    SentTimestamp: sent,
    SenderId: a.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? sent,
  };
  for (const name of ['SequenceNumber', 'MessageGroupId', 'MessageDeduplicationId', 'AWSTraceHeader'] as const) {
    const value = a[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/**
 * Builds the Lambda SQS record for one received message.
 *
 * @param message - from `ReceiveMessage` with `MessageSystemAttributeNames: ['All']` and `MessageAttributeNames: ['All']`.
 * @param queueArn - the `eventSourceARN`.
 * @param region - the `awsRegion`.
 * @throws {InvalidMessageError} when the message has no `MessageId`, `ReceiptHandle` or `Body`.
 */
export function toSqsRecord(message: Message, queueArn: string, region: string): SqsRecord {
  if (message.MessageId === undefined || message.ReceiptHandle === undefined || message.Body === undefined) {
    throw new InvalidMessageError('Received a message without MessageId, ReceiptHandle or Body.');
  }
  const messageAttributes: Record<string, SqsMessageAttribute> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) messageAttributes[name] = toRecordAttribute(value);
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes: toRecordAttributes(message.Attributes),
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    md5OfMessageAttributes: message.MD5OfMessageAttributes ?? null,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}
