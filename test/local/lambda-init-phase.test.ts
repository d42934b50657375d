/**
 * The init phase of a local execution environment, as Lambda runs it: the module import
 * and top-level code have their own limit outside the invocation's timeout, and an
 * environment whose init fails is discarded (the next invocation starts a fresh one).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sqsEvent } from '../../lambda/runtime/testing.ts';
import { LambdaInvoker } from '../../lib/local/emulator/index.ts';
import type { InvokerFunction, LambdaInvokerOptions } from '../../lib/local/emulator/index.ts';
import { startEmbeddedServer } from '../../lib/local/index.ts';
import type { EmbeddedServer } from '../../lib/local/index.ts';
import { bundleFixture, startEsmHarness, waitFor } from '../helpers/local-runtime.ts';
import type { EsmHarness } from '../helpers/local-runtime.ts';

let assetDir: string;
const invokers: LambdaInvoker[] = [];
beforeAll(async () => { assetDir = await bundleFixture('init-plan'); });
afterEach(async () => { await Promise.all(invokers.splice(0).map((i) => i.close())); });

function stateFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'sluice-init-')), 'inits');
}

function invoker(fn: Partial<InvokerFunction> & { environment: Record<string, string> }, options: Partial<LambdaInvokerOptions> = {}): LambdaInvoker {
  const created = new LambdaInvoker({
    fn: { name: 'init-plan', arn: 'arn:aws:lambda:us-east-1:000000000000:function:init-plan', assetDir, handler: 'index.handler', timeoutSeconds: 3, memoryMiB: 128, ...fn },
    region: 'us-east-1', endpoint: 'http://127.0.0.1:9', ...options,
  });
  invokers.push(created);
  return created;
}

const payloadOf = (outcome: { status: string; payload?: string | undefined }): { init: number; remainingMs: number } => {
  expect(outcome.status).toBe('returned');
  return JSON.parse(outcome.payload ?? 'null') as { init: number; remainingMs: number };
};

describe('init phase', () => {
  it('starts the invocation timeout after init: remaining time of the first invocation is the full timeout', async () => {
    const fn = invoker({ timeoutSeconds: 2, environment: { FIXTURE_INIT_PLAN: 'sleep:1500' } });
    const result = await fn.invoke(sqsEvent([{ body: 'x' }]));
    expect(payloadOf(result.outcome).remainingMs).toBeGreaterThan(1800);
    expect(result.coldStart).toBe(true);
    expect(result.initDurationMs).toBeGreaterThanOrEqual(1400);
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('lets init take longer than the function timeout (init has its own limit)', async () => {
    const fn = invoker({ timeoutSeconds: 1, environment: { FIXTURE_INIT_PLAN: 'sleep:1500' } });
    const { outcome } = await fn.invoke(sqsEvent([{ body: 'x' }]));
    expect(outcome.status).toBe('returned');
  });

  it('discards an environment whose init throws: that invocation fails, the next one runs init again', async () => {
    const file = stateFile();
    const fn = invoker({ environment: { FIXTURE_INIT_PLAN: 'throw,ok', FIXTURE_STATE_FILE: file } });
    const first = await fn.invoke(sqsEvent([{ body: 'x' }]));
    expect(first.outcome).toMatchObject({ status: 'error', errorName: 'Error', errorMessage: 'init 1 failed on purpose' });
    const second = await fn.invoke(sqsEvent([{ body: 'x' }]));
    expect(payloadOf(second.outcome).init).toBe(2);
    expect(second.coldStart).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('init\ninit\n');
  });

  it('fails an invocation whose init exceeds the init limit, outside the function timeout, and starts afresh', async () => {
    const file = stateFile();
    const fn = invoker({ timeoutSeconds: 10, environment: { FIXTURE_INIT_PLAN: 'sleep:3000,ok', FIXTURE_STATE_FILE: file } }, { initTimeoutMs: 400 });
    const started = Date.now();
    const first = await fn.invoke(sqsEvent([{ body: 'x' }]));
    expect(first.outcome).toMatchObject({ status: 'timeout', errorName: 'Sandbox.Timedout' });
    expect(first.outcome.status !== 'returned' && first.outcome.errorMessage).toMatch(/^Init phase timed out after 0\.40 seconds/);
    expect(Date.now() - started).toBeLessThan(2500);
    const second = await fn.invoke(sqsEvent([{ body: 'x' }]));
    expect(payloadOf(second.outcome).init).toBe(2);
  });

  it('keeps a warm environment: no second init after a successful one', async () => {
    const file = stateFile();
    const fn = invoker({ environment: { FIXTURE_STATE_FILE: file } });
    await fn.invoke(sqsEvent([{ body: 'x' }]));
    const warm = await fn.invoke(sqsEvent([{ body: 'x' }]));
    expect(warm.coldStart).toBe(false);
    expect(warm.initDurationMs).toBeUndefined();
    expect(payloadOf(warm.outcome).init).toBe(1);
  });
});

describe('init failure under the event source mapping', () => {
  let server: EmbeddedServer;
  let h: EsmHarness | undefined;
  beforeAll(async () => { server = await startEmbeddedServer({ port: 0 }); });
  afterAll(async () => {
    await h?.stop();
    await server.stop();
  });

  it('retries the whole batch of an invocation whose init failed, then processes it in a fresh environment', async () => {
    const file = stateFile();
    h = await startEsmHarness(server, {
      fixture: 'init-plan', visibilityTimeoutSeconds: 1, mapping: { concurrency: 1 },
      environment: { FIXTURE_INIT_PLAN: 'throw,ok', FIXTURE_STATE_FILE: file },
    });
    const verdicts: string[] = [];
    h.emulator.on('batch', (b) => verdicts.push(b.verdict.kind));
    await h.send(['{"n":1}', '{"n":2}', '{"n":3}']);
    h.emulator.start();
    await waitFor(() => h!.emulator.counters.succeeded === 3, 15_000, 'the batch processed after the failed init');
    expect(verdicts).toEqual(['batch-failed', 'all-succeeded']);
    expect(h.emulator.counters).toMatchObject({ batches: 2, retried: 3, batchErrors: 1 });
    expect(readFileSync(file, 'utf8')).toBe('init\ninit\n');
    expect(h.logs.some((l) => l.includes('Init Error') && l.includes('init 1 failed on purpose'))).toBe(true);
  });
});
