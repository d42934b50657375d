import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { SqsEvent } from '../../lambda/runtime/index.ts';
import { runCli } from '../../lib/cli/index.ts';
import { memoryOutput } from '../../lib/cli/index.ts';

async function event(...args: string[]): Promise<SqsEvent> {
  const output = memoryOutput();
  const code = await runCli(['event', ...args], output);
  expect(output.stderr).toEqual([]);
  expect(code).toBe(0);
  return JSON.parse(output.stdout.join('\n')) as SqsEvent;
}

const RECORD_KEYS = [
  'messageId', 'receiptHandle', 'body', 'attributes', 'messageAttributes', 'md5OfBody',
  'md5OfMessageAttributes', 'eventSource', 'eventSourceARN', 'awsRegion',
];

describe('sluice event', () => {
  it('prints an SQS event with the exact Lambda record shape', async () => {
    const { Records } = await event('sqs', '--body', '{"userId":"u-1"}', '--count', '3', '--attribute', 'eventType=UserRegistered');
    expect(Records).toHaveLength(3);
    const record = Records[0]!;
    expect(Object.keys(record)).toEqual(RECORD_KEYS);
    expect(record.body).toBe('{"userId":"u-1"}');
    expect(record.md5OfBody).toBe(createHash('md5').update('{"userId":"u-1"}').digest('hex'));
    expect(record.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);
    expect(record.messageAttributes).toEqual({
      eventType: { stringValue: 'UserRegistered', stringListValues: [], binaryListValues: [], dataType: 'String' },
    });
    expect(Object.keys(record.attributes)).toEqual(['ApproximateReceiveCount', 'SentTimestamp', 'SenderId', 'ApproximateFirstReceiveTimestamp']);
    expect(record).toMatchObject({ eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:sluice-test', awsRegion: 'us-east-1' });
    expect(new Set(Records.map((r) => r.messageId)).size).toBe(3);
  });

  it('wraps the body in an SNS notification envelope for sns', async () => {
    const { Records } = await event('sns', '--body', '{"userId":"u-2"}', '--subject', 'signup', '--topic-arn', 'arn:aws:sns:eu-west-1:111122223333:users', '--attribute', 'kind=user');
    const envelope = JSON.parse(Records[0]!.body) as Record<string, unknown>;
    expect(envelope).toMatchObject({
      Type: 'Notification',
      TopicArn: 'arn:aws:sns:eu-west-1:111122223333:users',
      Subject: 'signup',
      Message: '{"userId":"u-2"}',
      SignatureVersion: '1',
      MessageAttributes: { kind: { Type: 'String', Value: 'user' } },
    });
    for (const key of ['MessageId', 'Timestamp', 'Signature', 'SigningCertURL', 'UnsubscribeURL']) expect(typeof envelope[key]).toBe('string');
  });

  it('prints a FIFO event on a .fifo queue, rotating the given groups with increasing sequence numbers', async () => {
    const { Records } = await event('fifo', '--count', '4', '--group', 'order-1', '--group', 'order-2', '--queue-arn', 'arn:aws:sqs:eu-west-1:111122223333:orders.fifo');
    expect(Records.map((r) => r.attributes.MessageGroupId)).toEqual(['order-1', 'order-2', 'order-1', 'order-2']);
    expect(Records.every((r) => r.eventSourceARN === 'arn:aws:sqs:eu-west-1:111122223333:orders.fifo' && r.awsRegion === 'eu-west-1')).toBe(true);
    const sequence = Records.map((r) => BigInt(r.attributes.SequenceNumber!));
    expect(sequence.toSorted((a, b) => (a < b ? -1 : 1))).toEqual(sequence);
    expect(Records[0]!.attributes.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each([
    [['fifo', '--count', '11'], "--count must be an integer 1..10; received '11'"],
    [['sqs', '--group', 'g'], '--group applies to fifo events only'],
    [['kafka'], "unknown event kind 'kafka'; allowed: sqs, sns, fifo"],
    [[], 'missing the event kind: one of sqs, sns, fifo'],
    [['sqs', '--attribute', 'novalue'], "--attribute must be name=value; received 'novalue'"],
  ])('rejects %j with exit 2', async (args, message) => {
    const output = memoryOutput();
    expect(await runCli(['event', ...args], output)).toBe(2);
    expect(output.stderr.join('\n')).toContain(message);
    expect(output.stdout).toEqual([]);
  });
});
