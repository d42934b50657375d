/**
 * What a handler sees of the Node.js 24 runtime in a local execution environment: the
 * variables Lambda sets, the handler string resolved as the runtime resolves it, the task
 * root as working directory (as far as a worker thread allows) and the Node 24 context.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sqsEvent } from '../../lambda/runtime/testing.ts';
import { LambdaInvoker, createLambdaContext, parseHandlerString } from '../../lib/local/emulator/index.ts';
import type { InvokerFunction } from '../../lib/local/emulator/index.ts';
import { bundleFixture } from '../helpers/local-runtime.ts';

const invokers: LambdaInvoker[] = [];
afterEach(async () => { await Promise.all(invokers.splice(0).map((i) => i.close())); });

function invoker(fn: Partial<InvokerFunction> & { assetDir: string }): LambdaInvoker {
  const created = new LambdaInvoker({
    fn: { name: 'probe', arn: 'arn:aws:lambda:us-east-1:000000000000:function:probe', handler: 'index.handler', timeoutSeconds: 5, memoryMiB: 256, environment: {}, ...fn },
    region: 'eu-west-1', endpoint: 'http://127.0.0.1:9',
  });
  invokers.push(created);
  return created;
}

async function answer(fn: LambdaInvoker, event: unknown = sqsEvent([{ body: 'x' }])): Promise<unknown> {
  const { outcome } = await fn.invoke(event);
  if (outcome.status !== 'returned') throw new Error(`invocation ${outcome.status}: ${outcome.errorName}: ${outcome.errorMessage}`);
  return JSON.parse(outcome.payload ?? 'null') as unknown;
}

/** Writes `files` into a new directory (a hand-made task root) and returns it. */
function taskRoot(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-task-root-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

interface Probe {
  env: Record<string, string | null>;
  cwd: string;
  resolved: string;
  contextKeys: string[];
  callbackMembers: Record<string, string>;
  logStreamName: string;
  logGroupName: string;
}

describe('environment variables', () => {
  let probeDir: string;
  beforeAll(async () => { probeDir = await bundleFixture('runtime-probe'); });

  it('sets the variables Lambda reserves, with AWS_EXECUTION_ENV from the runtime', async () => {
    const probe = await answer(invoker({ assetDir: probeDir, runtime: 'nodejs24.x' })) as Probe;
    expect(probe.env).toMatchObject({
      _HANDLER: 'index.handler',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_LAMBDA_FUNCTION_NAME: 'probe',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/probe',
      LAMBDA_TASK_ROOT: probeDir,
      LANG: 'en_US.UTF-8',
      TZ: ':UTC',
    });
    expect(probe.env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(probe.logStreamName).toBe(probe.env.AWS_LAMBDA_LOG_STREAM_NAME);
    expect(probe.logGroupName).toBe('/aws/lambda/probe');
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'LAMBDA_RUNTIME_DIR']) expect(probe.env[name]).toMatch(/./);
    expect(probe.env.PATH?.split(':')).toEqual(expect.arrayContaining(['/usr/local/bin', '/usr/bin/', '/bin', '/opt/bin']));
  });

  it('names a function of an older runtime in AWS_EXECUTION_ENV', async () => {
    const probe = await answer(invoker({ assetDir: probeDir, runtime: 'nodejs22.x' })) as Probe;
    expect(probe.env.AWS_EXECUTION_ENV).toBe('AWS_Lambda_nodejs22.x');
  });

  it('lets the function override unreserved variables (LANG) but never reserved ones (_HANDLER)', async () => {
    const probe = await answer(invoker({ assetDir: probeDir, environment: { LANG: 'C.UTF-8', _HANDLER: 'other.handler', FIXTURE_FLAG: 'mine' } })) as Probe;
    expect(probe.env).toMatchObject({ LANG: 'C.UTF-8', _HANDLER: 'index.handler', FIXTURE_FLAG: 'mine' });
  });

  it('reports the task root as process.cwd() and resolves relative paths against it', async () => {
    const probe = await answer(invoker({ assetDir: probeDir })) as Probe;
    expect(probe.cwd).toBe(probeDir);
    expect(probe.resolved).toBe(join(probeDir, 'data.txt'));
  });
});

describe('the Node.js 24 context', () => {
  it('has no callback-era members (done, succeed, fail, callbackWaitsForEmptyEventLoop)', async () => {
    const probe = await answer(invoker({ assetDir: await bundleFixture('runtime-probe') })) as Probe;
    expect(probe.callbackMembers).toEqual({ done: 'undefined', succeed: 'undefined', fail: 'undefined' });
    expect(probe.contextKeys).toEqual(['awsRequestId', 'clientContext', 'functionName', 'functionVersion', 'getRemainingTimeInMillis', 'identity', 'invokedFunctionArn', 'logGroupName', 'logStreamName', 'memoryLimitInMB']);
  });

  it('lets getRemainingTimeInMillis() go negative past the deadline', () => {
    const context = createLambdaContext({
      functionName: 'f', functionVersion: '$LATEST', invokedFunctionArn: 'arn', memoryLimitInMB: '128',
      awsRequestId: 'r', logGroupName: '/aws/lambda/f', logStreamName: 's', deadlineMs: 1_000,
    }, () => 1_250);
    expect(context.getRemainingTimeInMillis()).toBe(-250);
  });
});

describe('handler resolution', () => {
  it('splits the handler at the first dot of its file name, like the runtime', () => {
    expect(parseHandlerString('index.handlers.main')).toEqual({ moduleRoot: '', moduleName: 'index', handlerName: 'handlers.main' });
    expect(parseHandlerString('src/app.v2.handler')).toEqual({ moduleRoot: 'src', moduleName: 'app', handlerName: 'v2.handler' });
  });

  it('resolves a nested export path (index.handlers.main)', async () => {
    const dir = taskRoot({ 'index.mjs': 'export const handlers = { main: async () => "nested" };' });
    expect(await answer(invoker({ assetDir: dir, handler: 'index.handlers.main' }))).toBe('nested');
  });

  it('tries .js before .mjs and .cjs', async () => {
    const dir = taskRoot({ 'index.js': 'exports.handler = async () => "js";', 'index.mjs': 'export const handler = async () => "mjs";' });
    expect(await answer(invoker({ assetDir: dir }))).toBe('js');
  });

  it('loads a .cjs module in a subdirectory', async () => {
    const dir = taskRoot({ 'lib/app.cjs': 'module.exports.handler = async () => "cjs";' });
    expect(await answer(invoker({ assetDir: dir, handler: 'lib/app.handler' }))).toBe('cjs');
  });

  it('fails init with the runtime error types for a missing module or export', async () => {
    const dir = taskRoot({ 'index.mjs': 'export const other = async () => 1;' });
    const missingExport = await invoker({ assetDir: dir }).invoke({});
    expect(missingExport.outcome).toMatchObject({ status: 'error', errorName: 'Runtime.HandlerNotFound', errorMessage: 'index.handler is undefined or not exported' });
    const missingModule = await invoker({ assetDir: dir, handler: 'nope.handler' }).invoke({});
    expect(missingModule.outcome).toMatchObject({ status: 'error', errorName: 'Runtime.ImportModuleError' });
  });

  it('rejects a callback-style handler at init on nodejs24.x, as the runtime does', async () => {
    const dir = taskRoot({ 'index.mjs': 'export const handler = (event, context, callback) => callback(null, "cb");' });
    const { outcome } = await invoker({ assetDir: dir, runtime: 'nodejs24.x' }).invoke({});
    expect(outcome).toMatchObject({ status: 'error', errorName: 'Runtime.CallbackHandlerDeprecated' });
  });

  it('still runs a callback-style handler on nodejs22.x', async () => {
    const dir = taskRoot({ 'index.mjs': 'export const handler = (event, context, callback) => callback(null, "cb");' });
    expect(await answer(invoker({ assetDir: dir, runtime: 'nodejs22.x' }))).toBe('cb');
  });
});

describe('what a worker thread cannot do like a Lambda process', () => {
  it('cannot change directory: process.chdir() throws inside the handler', async () => {
    const dir = taskRoot({ 'index.mjs': 'export const handler = async () => { process.chdir("/"); return "moved"; };' });
    const { outcome } = await invoker({ assetDir: dir }).invoke({});
    expect(outcome).toMatchObject({ status: 'error', errorName: 'TypeError' });
    expect(outcome.status !== 'returned' && outcome.errorMessage).toMatch(/not supported in workers/);
  });

  it('resolves relative fs paths against the host directory, not the task root', async () => {
    const dir = taskRoot({
      'marker.txt': 'in the task root',
      'index.mjs': 'import { existsSync } from "node:fs"; export const handler = async () => ({ relative: existsSync("marker.txt"), viaTaskRoot: existsSync(`${process.env.LAMBDA_TASK_ROOT}/marker.txt`) });',
    });
    expect(await answer(invoker({ assetDir: dir }))).toEqual({ relative: false, viaTaskRoot: true });
  });

  it('ends the environment on process.exit(): the invocation fails with Runtime.ExitError and the next one starts afresh', async () => {
    const dir = taskRoot({ 'index.mjs': 'let calls = 0; export const handler = async (event) => { calls += 1; if (event.exit) process.exit(3); return calls; };' });
    const fn = invoker({ assetDir: dir });
    const exited = await fn.invoke({ exit: true });
    expect(exited.outcome).toMatchObject({ status: 'crashed', errorName: 'Runtime.ExitError', errorMessage: 'Runtime exited with code 3' });
    const next = await fn.invoke({});
    expect(next.coldStart).toBe(true);
    expect(next.outcome).toMatchObject({ status: 'returned', payload: '1' });
  });
});
