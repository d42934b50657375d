import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  fifoEvent,
  lambdaContext,
  md5OfMessageAttributes,
  snsEnvelope,
  sqsEvent,
  sqsRecord,
  TEST_QUEUE_ARN,
} from '../../lambda/runtime/testing.ts';

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('sqsRecord', () => {
  it('builds exactly the record shape Lambda delivers', () => {
    const r = sqsRecord({ body: { a: 1 } });
    expect(Object.keys(r)).toEqual([
      'messageId', 'receiptHandle', 'body', 'attributes', 'messageAttributes', 'md5OfBody',
      'md5OfMessageAttributes', 'eventSource', 'eventSourceARN', 'awsRegion',
    ]);
    expect(r.messageId).toMatch(UUID);
    expect(typeof r.receiptHandle).toBe('string');
    expect(r.body).toBe('{"a":1}');
    expect(r.md5OfBody).toBe(md5('{"a":1}'));
    expect(r.md5OfMessageAttributes).toBeNull();
    expect(r.eventSource).toBe('aws:sqs');
    expect(r.eventSourceARN).toBe(TEST_QUEUE_ARN);
    expect(r.awsRegion).toBe('us-east-1');
    expect(Object.keys(r.attributes)).toEqual(['ApproximateReceiveCount', 'SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp']);
    for (const v of Object.values(r.attributes)) expect(typeof v).toBe('string');
    expect(r.attributes.ApproximateReceiveCount).toBe('1');
    expect(r.attributes.SentTimestamp).toMatch(/^\d{13}$/);
  });

  it('uses a string body as is, stringifies anything else, and defaults to {}', () => {
    expect(sqsRecord({ body: 'raw text' }).body).toBe('raw text');
    expect(sqsRecord({ body: [1, 2] }).body).toBe('[1,2]');
    expect(sqsRecord().body).toBe('{}');
    expect(sqsRecord({ body: 'héllo 🌊' }).md5OfBody).toBe(md5('héllo 🌊'));
  });

  it('gives every record its own messageId and receiptHandle', () => {
    const a = sqsRecord();
    const b = sqsRecord();
    expect(a.messageId).not.toBe(b.messageId);
    expect(a.receiptHandle).not.toBe(b.receiptHandle);
  });

  it('adds the FIFO attributes and a .fifo ARN for a groupId', () => {
    const r = sqsRecord({ groupId: 'g', body: 'x' });
    expect(r.eventSourceARN).toBe(`${TEST_QUEUE_ARN}.fifo`);
    expect(r.attributes.MessageGroupId).toBe('g');
    expect(r.attributes.SequenceNumber).toMatch(/^\d+$/);
    expect(r.attributes.MessageDeduplicationId).toBe(createHash('sha256').update('x').digest('hex'));
    expect(sqsRecord({ groupId: 'g', deduplicationId: 'd-1' }).attributes.MessageDeduplicationId).toBe('d-1');
  });

  it('takes the region from the queue ARN and lets attributes be overridden', () => {
    const r = sqsRecord({ queueArn: 'arn:aws:sqs:eu-central-1:111122223333:q', receiveCount: 3, sentTimestamp: 1_700_000_000_000, attributes: { SenderId: 'me' } });
    expect(r.awsRegion).toBe('eu-central-1');
    expect(r.attributes).toMatchObject({ ApproximateReceiveCount: '3', SentTimestamp: '1700000000000', ApproximateFirstReceiveTimestamp: '1700000000000', SenderId: 'me' });
  });

  it('builds string and binary message attributes in the Lambda shape', () => {
    const r = sqsRecord({ messageAttributes: { s: 'v', b: new Uint8Array([1, 2, 3, 255]) } });
    expect(r.messageAttributes).toEqual({
      s: { stringValue: 'v', stringListValues: [], binaryListValues: [], dataType: 'String' },
      b: { binaryValue: Buffer.from([1, 2, 3, 255]).toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    expect(r.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('md5OfMessageAttributes', () => {
  it('matches the digest another SQS implementation (fauxqs 2.4.1) computes for the same attributes', () => {
    const r = sqsRecord({ messageAttributes: { eventType: 'UserRegistered', blob: new Uint8Array([1, 2, 3, 255]) } });
    expect(r.md5OfMessageAttributes).toBe('2b5a34c57fa85e6c7ecd65d3c5e93880');
  });

  it('does not depend on the order attributes were given in, but on their values', () => {
    const a = md5OfMessageAttributes(sqsRecord({ messageAttributes: { x: '1', y: '2' } }).messageAttributes);
    const b = md5OfMessageAttributes(sqsRecord({ messageAttributes: { y: '2', x: '1' } }).messageAttributes);
    const c = md5OfMessageAttributes(sqsRecord({ messageAttributes: { x: '1', y: '3' } }).messageAttributes);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(md5OfMessageAttributes({})).toBeNull();
  });
});

describe('sqsEvent and fifoEvent', () => {
  it('accepts finished records and inits alike', () => {
    const ready = sqsRecord({ messageId: 'ready' });
    const event = sqsEvent([ready, { messageId: 'built' }]);
    expect(event.Records[0]).toBe(ready);
    expect(event.Records[1]!.messageId).toBe('built');
    expect(sqsEvent()).toEqual({ Records: [] });
  });

  it('puts every FIFO record on a .fifo queue with sequence numbers increasing in record order', () => {
    const event = fifoEvent([{ groupId: 'a' }, { groupId: 'b' }, { groupId: 'a' }]);
    const seq = event.Records.map((r) => BigInt(r.attributes.SequenceNumber!));
    expect(seq[0]! < seq[1]! && seq[1]! < seq[2]!).toBe(true);
    for (const r of event.Records) expect(r.eventSourceARN.endsWith('.fifo')).toBe(true);
    expect(event.Records.map((r) => r.attributes.MessageGroupId)).toEqual(['a', 'b', 'a']);
  });
});

describe('snsEnvelope', () => {
  it('builds the notification envelope SNS puts in an SQS body', () => {
    const e = snsEnvelope({ a: 1 }, { subject: 'hi', messageAttributes: { k: 'v' } });
    expect(e).toMatchObject({
      Type: 'Notification',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:sluice-test',
      Subject: 'hi',
      Message: '{"a":1}',
      SignatureVersion: '1',
      MessageAttributes: { k: { Type: 'String', Value: 'v' } },
    });
    expect(e.MessageId).toMatch(UUID);
    expect(new Date(e.Timestamp).toISOString()).toBe(e.Timestamp);
    expect(e.SigningCertURL).toMatch(/^https:\/\/sns\.us-east-1\.amazonaws\.com\//);
    expect(e.UnsubscribeURL).toContain('Action=Unsubscribe');
  });

  it('keeps a string message as is and omits Subject and MessageAttributes unless given', () => {
    const e = snsEnvelope('plain');
    expect(e.Message).toBe('plain');
    expect(e).not.toHaveProperty('Subject');
    expect(e).not.toHaveProperty('MessageAttributes');
  });
});

describe('lambdaContext', () => {
  it('counts remaining time down with the given clock and never below zero', () => {
    let t = 1_000;
    const ctx = lambdaContext({ timeoutMs: 3_000, now: () => t });
    expect(ctx.getRemainingTimeInMillis()).toBe(3_000);
    t += 2_500;
    expect(ctx.getRemainingTimeInMillis()).toBe(500);
    t += 10_000;
    expect(ctx.getRemainingTimeInMillis()).toBe(0);
  });

  it('defaults to a 30 s timeout on the real clock and carries the Lambda context fields', () => {
    const ctx = lambdaContext({ functionName: 'fn', memoryLimitInMB: 256 });
    const remaining = ctx.getRemainingTimeInMillis();
    expect(remaining).toBeGreaterThan(29_000);
    expect(remaining).toBeLessThanOrEqual(30_000);
    expect(ctx).toMatchObject({ functionName: 'fn', memoryLimitInMB: '256', functionVersion: '$LATEST', logGroupName: '/aws/lambda/fn' });
    expect(ctx.invokedFunctionArn).toBe('arn:aws:lambda:us-east-1:123456789012:function:fn');
    expect(ctx.awsRequestId).toMatch(UUID);
  });
});
