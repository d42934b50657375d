/**
 * Regression (issue 7, corpus through the emulator): when a retry step throws before it
 * makes any SQS call (the SDK cannot load, the endpoint is not a URL), only the records
 * that step was for are reported failed, with a warning; the rest of the batch succeeds.
 * Before the fix the rejection failed the whole batch, logged only at debug.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PermanentError, processBatch, retryPolicy, sqsHandler, TransientError } from '../../lambda/runtime/index.ts';
import type { Handle } from '../../lambda/runtime/index.ts';
import { lambdaContext, sqsRecord } from '../../lambda/runtime/testing.ts';
import { captureLogger } from '../runtime/helpers.ts';

const saved = process.env.SLUICE_SQS_ENDPOINT;
afterEach(() => {
  process.env.SLUICE_SQS_ENDPOINT = saved;
});

const handle: Handle<unknown> = (message) => {
  const m = message as { poison?: boolean; transient?: boolean };
  if (m.poison) throw new PermanentError('poison');
  if (m.transient) throw new TransientError('later');
};

const records = () => [
  sqsRecord({ messageId: 'good', body: '{}' }),
  sqsRecord({ messageId: 'poison', body: '{"poison":true}' }),
  sqsRecord({ messageId: 'transient', body: '{"transient":true}' }),
];

describe('retry step that throws before any SQS call', () => {
  it('fails only its own records and warns, through processBatch and sqsHandler', async () => {
    // Not a URL: building the SQS client throws.
    process.env.SLUICE_SQS_ENDPOINT = 'not a url';
    const { logger, at } = captureLogger();
    const retry = retryPolicy({ deadLetter: 'http://127.0.0.1:9/000000000000/dlq', backoff: { baseSeconds: 1, maxSeconds: 2 } });
    const result = await processBatch(records(), handle, { retry, logger });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'poison' }, { itemIdentifier: 'transient' }]);
    expect(result.outcomes.map((o) => o.status)).toEqual(['succeeded', 'failed', 'failed']);
    expect(at('warn').map((l) => [l.message, l.fields?.messageId])).toEqual(expect.arrayContaining([
      ['Dead-letter send failed; record left for redelivery', 'poison'],
      ['Visibility change failed; record retries after the queue visibility timeout', 'transient'],
    ]));

    const response = await sqsHandler({ handle, retry, logger })({ Records: records() }, lambdaContext());
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'poison' }, { itemIdentifier: 'transient' }] });
  });
});
