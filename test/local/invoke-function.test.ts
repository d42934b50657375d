/**
 * `sluice invoke`: one function's bundled asset run once on an event, with its resolved
 * environment; unknown names are reported with the available ones.
 */
import { describe, expect, it } from 'vitest';
import { sqsEvent } from '../../lambda/runtime/testing.ts';
import { invokeFunction } from '../../lib/local/index.ts';
import { buildFixtureApp } from '../fixtures/local-app/app.ts';

describe('invokeFunction', () => {
  it('runs the named function once and returns its parsed response and log lines', async () => {
    const event = sqsEvent([{ messageId: 'm-1', body: { mode: 'ok' } }, { messageId: 'm-2', body: { mode: 'fail' } }]);
    const result = await invokeFunction({ functionName: 'order-log', event, build: buildFixtureApp });
    expect(result.functionName).toBe('OrderLog');
    expect(result.outcome.status).toBe('returned');
    expect(result.response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    const logged = JSON.parse(result.logs[0]!) as { invocation: { ids: string[]; env: Record<string, string> } };
    expect(logged.invocation.ids).toEqual(['m-1', 'm-2']);
    expect(logged.invocation.env.FIXTURE_FLAG).toMatch(/^arn:aws:sns:us-east-1:000000000000:orders\.fifo\|FixtureStack-OrdersQueue\.fifo\|us-east-1$/);
  });

  it('names the available functions when none matches', async () => {
    await expect(invokeFunction({ functionName: 'nope', event: { Records: [] }, build: buildFixtureApp }))
      .rejects.toThrow(/No function 'nope' in the app; available: Echo, OrderLog/);
  });
});
