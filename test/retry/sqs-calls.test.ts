import { afterEach, describe, expect, it } from 'vitest';
import { chunk, entryResults, queueUrlOf, sqsClient, sqsEndpoint } from '../../lambda/runtime/sqs-calls.ts';

const saved = { endpoint: process.env.SLUICE_SQS_ENDPOINT, queueUrl: process.env.SLUICE_QUEUE_URL };
afterEach(() => {
  process.env.SLUICE_SQS_ENDPOINT = saved.endpoint;
  if (saved.queueUrl === undefined) delete process.env.SLUICE_QUEUE_URL;
  else process.env.SLUICE_QUEUE_URL = saved.queueUrl;
});

describe('sqsEndpoint', () => {
  it('prefers the configured endpoint, then SLUICE_SQS_ENDPOINT', () => {
    process.env.SLUICE_SQS_ENDPOINT = 'http://127.0.0.1:4566';
    expect(sqsEndpoint('http://127.0.0.1:1234')).toBe('http://127.0.0.1:1234');
    expect(sqsEndpoint(undefined)).toBe('http://127.0.0.1:4566');
  });

  it('takes a local queue URL origin as the endpoint, and leaves AWS queue URLs to the SDK', () => {
    delete process.env.SLUICE_SQS_ENDPOINT;
    expect(sqsEndpoint(undefined, 'http://127.0.0.1:9324/000000000000/dlq')).toBe('http://127.0.0.1:9324');
    expect(sqsEndpoint(undefined, 'https://sqs.eu-west-1.amazonaws.com/123456789012/dlq')).toBeUndefined();
  });
});

describe('queueUrlOf', () => {
  it('builds the AWS URL from an ARN, or the endpoint URL locally', () => {
    delete process.env.SLUICE_QUEUE_URL;
    expect(queueUrlOf('arn:aws:sqs:eu-west-1:123456789012:orders.fifo', undefined)).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/orders.fifo');
    expect(queueUrlOf('arn:aws-cn:sqs:cn-north-1:123456789012:q', undefined)).toBe('https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q');
    expect(queueUrlOf('arn:aws:sqs:us-east-1:000000000000:q', 'http://127.0.0.1:4566/')).toBe('http://127.0.0.1:4566/000000000000/q');
  });

  it('uses SLUICE_QUEUE_URL when it names the same queue, and rejects what is not an SQS ARN', () => {
    process.env.SLUICE_QUEUE_URL = 'http://127.0.0.1:7000/000000000000/register-user';
    expect(queueUrlOf('arn:aws:sqs:us-east-1:000000000000:register-user', undefined)).toBe(process.env.SLUICE_QUEUE_URL);
    expect(queueUrlOf('arn:aws:sqs:us-east-1:000000000000:other', undefined)).toBe('https://sqs.us-east-1.amazonaws.com/000000000000/other');
    expect(queueUrlOf('arn:aws:sns:us-east-1:000000000000:topic', undefined)).toBeUndefined();
    expect(queueUrlOf('not an arn', undefined)).toBeUndefined();
  });
});

describe('sqsClient', () => {
  it('does not cache a failed creation, so a later batch tries again', async () => {
    const first = sqsClient('not a url', 'us-east-1');
    await expect(first).rejects.toThrow();
    const second = sqsClient('not a url', 'us-east-1');
    expect(second).not.toBe(first);
    await expect(second).rejects.toThrow();
  });

  it('reuses one client per endpoint and region', () => {
    expect(sqsClient('http://127.0.0.1:9', 'us-east-1')).toBe(sqsClient('http://127.0.0.1:9', 'us-east-1'));
  });
});

describe('chunk and entryResults', () => {
  it('splits by count and by bytes', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([6, 6, 6], 10, (n) => n, 12)).toEqual([[6, 6], [6]]);
  });

  it('marks entries missing from a batch response as failed', () => {
    const results = entryResults(['a', 'b', 'c'], { Successful: [{ Id: 'a' }], Failed: [{ Id: 'b', Code: 'ReceiptHandleIsInvalid' }] });
    expect([...results]).toEqual([['a', { ok: true }], ['b', { ok: false, code: 'ReceiptHandleIsInvalid' }], ['c', { ok: false, code: 'MissingFromResponse' }]]);
  });
});
