/**
 * Every line a function writes before it returns reaches the invoker's `onLog` before the
 * result, so closing the environments right after an invocation (as `sluice invoke`
 * does) loses nothing.
 */
import { describe, expect, it } from 'vitest';
import { sqsEvent } from '../../lambda/runtime/testing.ts';
import { LambdaInvoker } from '../../lib/local/emulator/index.ts';
import { bundleFixture } from '../helpers/local-runtime.ts';

async function run(lines: number): Promise<{ stdout: string[]; stderr: string[]; atResult: number }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const invoker = new LambdaInvoker({
    fn: {
      name: 'chatty', arn: 'arn:aws:lambda:us-east-1:000000000000:function:chatty', assetDir: await bundleFixture('chatty'),
      handler: 'index.handler', timeoutSeconds: 5, memoryMiB: 128, environment: { FIXTURE_LINES: String(lines) },
    },
    region: 'us-east-1', endpoint: 'http://127.0.0.1:9',
    onLog: (line, stream) => (stream === 'stdout' ? stdout : stderr).push(line),
  });
  const result = await invoker.invoke(sqsEvent([{ body: 'a' }, { body: 'b' }]));
  const atResult = stdout.length + stderr.length;
  await invoker.close();
  expect(result.outcome.status).toBe('returned');
  return { stdout, stderr, atResult };
}

describe('function output', () => {
  it('delivers every line written right before returning, before the result and despite an immediate close', async () => {
    const { stdout, stderr, atResult } = await run(2000);
    expect(stdout[0]).toBe('init line');
    expect(stdout.length).toBe(2001);
    expect(stdout.at(-1)).toBe(JSON.stringify({ level: 'warn', message: 'Record failed', n: 1999 }));
    expect(stderr.length).toBe(200);
    expect(atResult).toBe(2201);
  });

  it('delivers both lines of a two-record batch that fails both records', async () => {
    const { stdout, atResult } = await run(2);
    expect(stdout.filter((l) => l.includes('Record failed'))).toHaveLength(2);
    expect(atResult).toBe(4);
  });
});
