import { describe, expect, it } from 'vitest';
import { ConfigError, processBatch, retryPolicy, sqsHandler } from '../../lambda/runtime/index.ts';

function problemsOf(options: unknown, policy = true): string[] {
  try {
    sqsHandler({ handle: async () => {}, retry: policy ? retryPolicy(options as never) : options } as never);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('retry options', () => {
  it.each([
    [{ backoff: { baseSeconds: -1, maxSeconds: 10 } }, 'retry.backoff.baseSeconds: received -1; allowed: a number from 0 to 43200'],
    [{ backoff: { baseSeconds: 1, maxSeconds: 50_000 } }, 'retry.backoff.maxSeconds: received 50000; allowed: a number from 0 to 43200'],
    [{ backoff: { baseSeconds: 10, maxSeconds: 5 } }, 'retry.backoff.maxSeconds: received 5; allowed: at least baseSeconds (10)'],
    [{ backoff: { baseSeconds: 1, maxSeconds: 5, jitter: 'half' } }, 'retry.backoff.jitter: received "half"; allowed: "full", "none"'],
    [{ deadLetter: 'not a url' }, 'retry.deadLetter: received "not a url"; allowed: "auto", false, or a queue URL'],
    [{ circuitBreaker: { failureThreshold: 0, cooldownMs: 10 } }, 'retry.circuitBreaker.failureThreshold: received 0; allowed: an integer from 1 to 1000000'],
    [{ backof: {} }, 'retry.backof: unknown option; allowed: backoff, deadLetter, circuitBreaker, endpoint'],
    [{ endpoint: 'ftp://x' }, 'retry.endpoint: received "ftp://x"; allowed: an http(s) URL'],
    ['yes', 'retry: received "yes"; allowed: an object'],
  ])('rejects retryPolicy(%j) when the handler is created, with a message naming the option', (retry, message) => {
    expect(problemsOf(retry)).toContain(message);
  });

  it('rejects the plain-object form of retry at creation, pointing at retryPolicy', () => {
    const [problem] = problemsOf({ deadLetter: 'auto' }, false);
    expect(problem).toMatch(/^retry: received an object; allowed: retryPolicy\(\{ backoff\?, deadLetter\?, circuitBreaker\?, endpoint\? \}\), imported from 'sluice'/);
    expect(problemsOf('yes', false)[0]).toMatch(/^retry: received "yes"; allowed: retryPolicy\(/);
  });

  it('reports retryPolicy problems together with the other options', () => {
    try {
      sqsHandler({ handle: async () => {}, concurrency: 0, retry: retryPolicy({ deadLetter: 'nope' }) } as never);
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect((e as ConfigError).problems).toEqual([
        'concurrency: received 0; allowed: an integer from 1 to 1000',
        'retry.deadLetter: received "nope"; allowed: "auto", false, or a queue URL',
      ]);
    }
  });

  it('accepts a full configuration', () => {
    expect(() => sqsHandler({
      handle: async () => {},
      retry: retryPolicy({
        backoff: { baseSeconds: 1, maxSeconds: 900, jitter: 'full' },
        deadLetter: 'auto',
        circuitBreaker: { failureThreshold: 5, cooldownMs: 30_000 },
        endpoint: 'http://127.0.0.1:4566',
      }),
    })).not.toThrow();
  });

  it('reports failed records plainly when deadLetter is auto and SLUICE_DLQ_URL is unset', async () => {
    const saved = process.env.SLUICE_DLQ_URL;
    delete process.env.SLUICE_DLQ_URL;
    try {
      const result = await processBatch([{
        messageId: 'm-1', receiptHandle: 'rh', body: 'not json', attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
        messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q', awsRegion: 'us-east-1',
      }], async () => {}, { logger: false, retry: retryPolicy({ deadLetter: 'auto' }) });
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
      expect(result.outcomes[0]!.disposition).toBeUndefined();
    } finally {
      if (saved !== undefined) process.env.SLUICE_DLQ_URL = saved;
    }
  });
});
