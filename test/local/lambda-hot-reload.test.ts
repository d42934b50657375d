/**
 * Hot reload and `--inspect` at the invoker: `reload()` lets an in-flight invocation
 * finish on the old code while new invocations start on the new asset, and the inspector
 * option opens a debugger endpoint inside the function's own execution environment.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LambdaInvoker } from '../../lib/local/emulator/index.ts';
import type { InvokerFunction, LambdaInvokerOptions } from '../../lib/local/emulator/index.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** An asset directory whose handler answers `{ version, thread }`, after `event.waitMs`. */
function asset(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), `sluice-reload-${version}-`));
  writeFileSync(join(dir, 'index.mjs'), [
    "import { threadId } from 'node:worker_threads';",
    'export const handler = async (event) => {',
    '  if (event.waitMs) await new Promise((resolve) => setTimeout(resolve, event.waitMs));',
    `  return { version: ${JSON.stringify(version)}, thread: threadId };`,
    '};',
  ].join('\n'));
  return dir;
}

const fnOf = (assetDir: string, extra: Partial<InvokerFunction> = {}): InvokerFunction => ({
  name: 'reloaded', arn: 'arn:aws:lambda:us-east-1:000000000000:function:reloaded', assetDir, handler: 'index.handler',
  timeoutSeconds: 3, memoryMiB: 128, environment: {}, ...extra,
});

const invokers: LambdaInvoker[] = [];
afterEach(async () => { await Promise.all(invokers.splice(0).map((i) => i.close())); });
function invoker(fn: InvokerFunction, options: Partial<LambdaInvokerOptions> = {}): LambdaInvoker {
  const created = new LambdaInvoker({ fn, region: 'us-east-1', endpoint: 'http://127.0.0.1:9', maxEnvironments: 2, ...options });
  invokers.push(created);
  return created;
}

async function answer(invocation: Promise<{ outcome: { status: string; payload?: string | undefined } }>): Promise<{ version: string; thread: number }> {
  const { outcome } = await invocation;
  expect(outcome.status).toBe('returned');
  return JSON.parse(outcome.payload ?? 'null') as { version: string; thread: number };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Evaluates `expression` in the isolate behind an inspector `ws://` URL. */
async function evaluate(url: string, expression: string): Promise<unknown> {
  const ws = new WebSocket(url);
  try {
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    const reply = new Promise<string>((resolve) => { ws.onmessage = (m) => resolve(String(m.data)); });
    ws.send(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression, returnByValue: true } }));
    return (JSON.parse(await reply) as { result: { result: { value: unknown } } }).result.result.value;
  } finally {
    ws.close();
  }
}

describe('hot reload', () => {
  it('lets an in-flight invocation finish on the old code while new invocations run the new asset', async () => {
    const fn = invoker(fnOf(asset('v1')));
    const warm = await answer(fn.invoke({ waitMs: 0 }));
    const inFlight = fn.invoke({ waitMs: 600 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const retired = fn.reload(fnOf(asset('v2')));
    const next = await answer(fn.invoke({ waitMs: 0 }));
    expect(next.version).toBe('v2');
    expect(next.thread).not.toBe(warm.thread);
    // The old environment was busy: it finished its batch on v1 and was retired after.
    expect((await answer(inFlight)).version).toBe('v1');
    await retired;
    const later = await answer(fn.invoke({ waitMs: 0 }));
    expect(later).toEqual({ version: 'v2', thread: next.thread });
  });

  it('retires every environment of the old code, idle ones at once', async () => {
    const fn = invoker(fnOf(asset('v1')));
    await Promise.all([answer(fn.invoke({ waitMs: 50 })), answer(fn.invoke({ waitMs: 50 }))]);
    await fn.reload(fnOf(asset('v2'), { environment: { CHANGED: '1' } }));
    const results = await Promise.all([answer(fn.invoke({ waitMs: 50 })), answer(fn.invoke({ waitMs: 50 }))]);
    expect(results.map((r) => r.version)).toEqual(['v2', 'v2']);
  });
});

describe('inspect', () => {
  it("opens a debugger endpoint in the function's own environment, before the first invocation", async () => {
    const urls: string[] = [];
    const dir = asset('v1');
    const fn = invoker(fnOf(dir), { inspect: { port: 0, onInspector: (info) => { if ('url' in info) urls.push(info.url); } } });
    await fn.prewarm();
    const url = await waitFor(() => urls[0] ?? '', 10_000, 'the inspector URL');
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]{36}$/);
    // The inspector belongs to the worker's isolate: it sees the function's environment, not the host's.
    expect(await evaluate(url, 'process.env.AWS_LAMBDA_FUNCTION_NAME')).toBe('reloaded');
    expect(await evaluate(url, 'process.cwd()')).toBe(dir);
  });

  it('does not cut off an invocation at the timeout while inspecting (a paused debugger would)', async () => {
    const fn = invoker(fnOf(asset('v1'), { timeoutSeconds: 1 }), { inspect: { port: 0 } });
    expect((await answer(fn.invoke({ waitMs: 1500 }))).version).toBe('v1');
  });

  it('opens the same port again in the environment that replaces a reloaded one', async () => {
    const port = await freePort();
    const urls: string[] = [];
    const fn = invoker(fnOf(asset('v1')), { inspect: { port, onInspector: (info) => { urls.push('url' in info ? info.url : info.error); } } });
    const inFlight = fn.invoke({ waitMs: 300 });
    await waitFor(() => urls.length === 1, 10_000, 'the first inspector URL');
    void fn.reload(fnOf(asset('v2')));
    expect((await answer(inFlight)).version).toBe('v1');
    await waitFor(() => urls.length === 2, 10_000, 'the second inspector URL');
    expect(urls.map((u) => new URL(u).port)).toEqual([String(port), String(port)]);
    expect(urls[1]).not.toBe(urls[0]);
    expect((await answer(fn.invoke({ waitMs: 0 }))).version).toBe('v2');
  });
});
