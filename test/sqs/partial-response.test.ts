/**
 * One table of partial batch responses, decided by both readers of a handler's response:
 * the event source mapping emulator (the function runs in an emulated execution
 * environment; its outcome goes through `interpretResponse`, as the emulator applies it)
 * and the worker (the handler runs in-process through `runLambdaHandler`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaInvoker } from '../../lib/local/emulator/index.ts';
import { interpretResponse } from '../../lib/sqs/index.ts';
import type { SqsRecord } from '../../lambda/runtime/index.ts';
import { loadHandlerModule } from '../../lib/worker/index.ts';
import type { WorkerHandler } from '../../lib/worker/index.ts';
import { sqsRecord } from '../../lambda/runtime/testing.ts';
import { bundleFixture } from '../helpers/local-runtime.ts';
import { RESPONSE_CASES } from '../fixtures/response-cases.ts';

const ids = ['m-0', 'm-1', 'm-2'];
const recordsFor = (name: string): SqsRecord[] => ids.map((messageId, i) => sqsRecord({ messageId, body: i === 0 ? name : 'x' }));
const expected = (failed: readonly number[] | 'all'): string[] => (failed === 'all' ? ids : failed.map((i) => ids[i]!)).slice().sort();

let invoker: LambdaInvoker;
let worker: WorkerHandler;
beforeAll(async () => {
  const assetDir = await bundleFixture('responses');
  invoker = new LambdaInvoker({
    fn: { name: 'responses', arn: 'arn:aws:lambda:us-east-1:000000000000:function:responses', assetDir, handler: 'index.handler', timeoutSeconds: 5, memoryMiB: 128, environment: {} },
    region: 'us-east-1', endpoint: 'http://127.0.0.1:9', maxEnvironments: 1,
  });
  worker = await loadHandlerModule(`${assetDir}/index.mjs`);
});
afterAll(async () => { await invoker.close(); });

describe('partial batch response: the emulator and the worker decide alike', () => {
  for (const c of RESPONSE_CASES) {
    it(`${c.name} → ${c.failed === 'all' ? 'whole batch failed' : c.failed.length === 0 ? 'all succeeded' : `retry ${c.failed.join(', ')}`}`, async () => {
      const records = recordsFor(c.name);
      const { outcome } = await invoker.invoke({ Records: records });
      const verdict = interpretResponse(outcome, ids, true);
      const emulatorFailed = verdict.kind === 'partial' ? [...verdict.failedIds] : verdict.kind === 'batch-failed' ? [...ids] : [];
      const workerResult = await worker.run(records, { onSettled() {} });
      expect(emulatorFailed.sort()).toEqual(expected(c.failed));
      expect([...workerResult.failedIds].sort()).toEqual(expected(c.failed));
    });
  }
});
