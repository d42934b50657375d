/**
 * Every corpus case through `sqsHandler` and `processBatch`: the exact outcome and error
 * class, no other record affected, and never a log line containing a body or attribute.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as runtime from '../../lambda/runtime/index.ts';
import { processBatch, sqsHandler } from '../../lambda/runtime/index.ts';
import type { SluiceLogger } from '../../lambda/runtime/index.ts';
import { lambdaContext } from '../../lambda/runtime/testing.ts';
import { caseOptions, caseRecords, corpusHandle, loadCorpus, SECRET_MARKER } from './load-corpus.ts';

const corpus = loadCorpus();
let lines: string[] = [];

function capturingLogger(): SluiceLogger {
  const log = (message: string, fields?: Record<string, unknown>): void => {
    lines.push(JSON.stringify({ message, ...fields }));
  };
  return { debug: log, info: log, warn: log, error: log };
}

beforeEach(() => {
  lines = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const line of lines) expect(line).not.toContain(SECRET_MARKER);
});

describe('bad-input corpus', () => {
  it('has at least 40 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
  });

  it.each(corpus.filter((c) => c.level === 'event').map((c) => [c.file, c] as const))('%s', async (_file, c) => {
    const handler = sqsHandler({ handle: corpusHandle, logger: capturingLogger() });
    const invocation = handler(c.event as never, lambdaContext());
    if (c.expect.rejects) {
      const ErrorClass = runtime[c.expect.rejects as keyof typeof runtime] as unknown as new () => Error;
      await expect(invocation).rejects.toBeInstanceOf(ErrorClass);
    } else {
      await expect(invocation).resolves.toEqual({ batchItemFailures: c.expect.batchItemFailures });
    }
  });

  it.each(corpus.filter((c) => c.level === 'record').map((c) => [c.file, c] as const))('%s', async (_file, c) => {
    const records = caseRecords(c);
    const options = { ...caseOptions(c), logger: capturingLogger(), metrics: { namespace: 'Corpus' } };
    const result = await processBatch(records, corpusHandle, options, lambdaContext());
    const bad = result.outcomes[1]!;
    expect(bad.status).toBe(c.expect.status);
    if (c.expect.errorClass) {
      const ErrorClass = (runtime[c.expect.errorClass as keyof typeof runtime] ?? Error) as unknown as new () => Error;
      expect(bad.error).toBeInstanceOf(ErrorClass);
    }
    if (c.expect.errorCode) expect((bad.error as { code?: string }).code).toBe(c.expect.errorCode);
    expect([result.outcomes[0]!.status, result.outcomes[2]!.status]).toEqual(['succeeded', 'succeeded']);

    const response = await sqsHandler({ handle: corpusHandle, ...options })({ Records: caseRecords(c) }, lambdaContext());
    const reported = c.expect.status === 'failed' || c.expect.status === 'skipped';
    expect(response).toEqual({ batchItemFailures: reported ? [{ itemIdentifier: 'bad' }] : [] });
    if (c.checkPrototype) expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
