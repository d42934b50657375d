import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, emfMetrics, notifyFailures, processBatch, SLUICE_DEFAULTS, SluiceError, sqsHandler } from '../../lambda/runtime/index.ts';
import type { SqsHandlerOptions } from '../../lambda/runtime/index.ts';
import { lambdaContext, sqsRecord } from '../../lambda/runtime/testing.ts';
import { captureOutput, deferred, IdSchema, waitFor } from './helpers.ts';

const handle = async (): Promise<void> => {};
const logger = { debug() {}, info() {}, warn() {}, error() {} };

afterEach(() => {
  vi.restoreAllMocks();
});

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

/**
 * Each row: the option, a bad value, the description of that value the message must
 * contain, and a fragment of what is allowed.
 */
const badOptions: [string, unknown, string, string][] = [
  ['concurrency', 0, '0', '1 to 1000'],
  ['concurrency', 1001, '1001', '1 to 1000'],
  ['concurrency', 2.5, '2.5', 'integer'],
  ['concurrency', -1, '-1', '1 to 1000'],
  ['concurrency', Number.NaN, 'NaN', '1 to 1000'],
  ['concurrency', Number.POSITIVE_INFINITY, 'Infinity', '1 to 1000'],
  ['concurrency', '10', '"10"', '1 to 1000'],
  ['concurrency', null, 'null', '1 to 1000'],
  ['deadlineMarginMs', -1, '-1', '≥ 0'],
  ['deadlineMarginMs', 1.5, '1.5', 'integer'],
  ['deadlineMarginMs', '1000', '"1000"', '≥ 0'],
  ['deadlineMarginMs', Number.POSITIVE_INFINITY, 'Infinity', '≥ 0'],
  ['schema', {}, 'an object', 'Standard Schema'],
  ['schema', null, 'null', 'Standard Schema'],
  ['schema', 'zod', '"zod"', 'Standard Schema'],
  ['schema', { '~standard': { version: 1 } }, 'an object', 'Standard Schema'],
  ['envelope', 'SNS', '"SNS"', '"auto", "sns", "none"'],
  ['envelope', true, 'true', '"auto", "sns", "none"'],
  ['body', 'xml', '"xml"', '"json", "text"'],
  ['fifo', 'yes', '"yes"', '"auto", true, false'],
  ['fifo', 1, '1', '"auto", true, false'],
  ['onGroupFailure', 'skip', '"skip"', '"skip-group", "stop-batch"'],
  ['dedupe', 'messageId', '"messageId"', 'true, false'],
  ['dedupe', 1, '1', 'true, false'],
  ['logger', true, 'true', 'debug, info, warn and error'],
  ['logger', {}, 'an object', 'debug, info, warn and error'],
  ['logger', { info() {}, warn() {} }, 'an object', 'debug, info, warn and error'],
  ['logger', null, 'null', 'debug, info, warn and error'],
  ['metrics.namespace', emfMetrics({} as never), 'undefined', 'a non-empty string'],
  ['metrics.namespace', emfMetrics({ namespace: '' }), '""', 'a non-empty string'],
  ['metrics', 'Sluice', '"Sluice"', 'namespace'],
  ['metrics', true, 'true', 'namespace'],
  ['metrics', { namespace: 'Sluice' }, 'an object', 'emfMetrics({ namespace, dimensions? })'],
  ['metrics.dimensions', emfMetrics({ namespace: 'Sluice', dimensions: { service: 1 } } as never), 'an object', 'values are strings'],
  ['metrics.dimensions', emfMetrics({ namespace: 'Sluice', dimensions: 'svc' } as never), '"svc"', 'values are strings'],
  ['logFailures', true, 'true', '"detailed", "codes", false'],
  ['logFailures', 'verbose', '"verbose"', '"detailed", "codes", false'],
  ['logFailures', null, 'null', '"detailed", "codes", false'],
  ['onFailure', 'alert', '"alert"', 'a function (outcome, ctx)'],
  ['onFailure', {}, 'an object', 'a function (outcome, ctx)'],
  ['onFailure', null, 'null', 'a function (outcome, ctx)'],
  ['onFailure', () => {}, 'a function', 'notifyFailures(a function (outcome, ctx))'],
  ['onFailure', notifyFailures('alert' as never), '"alert"', 'a function (outcome, ctx)'],
];

describe('option validation at creation', () => {
  it.each(badOptions)('rejects %s = %s with one ConfigError problem naming the option, the value (%s) and what is allowed', (name, value, described, allowed) => {
    const key = name.split('.')[0]!;
    const error = configErrorOf(() => sqsHandler({ handle, [key]: value } as SqsHandlerOptions));
    expect(error.code).toBe('CONFIG');
    expect(error).toBeInstanceOf(SluiceError);
    expect(error.problems).toHaveLength(1);
    const problem = error.problems[0]!;
    expect(problem.startsWith(`${name}:`)).toBe(true);
    expect(problem).toContain(`received ${described}`);
    expect(problem).toContain(allowed);
    expect(error.message).toContain(problem);
  });

  it.each(badOptions)('rejects %s = %s in processBatch too (as a rejection)', async (name, value) => {
    const key = name.split('.')[0]!;
    const pending = processBatch([sqsRecord()], handle, { [key]: value } as never);
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems[0]!.startsWith(`${name}:`)).toBe(true);
  });

  it('rejects an unknown key, naming it and listing the allowed options', () => {
    const error = configErrorOf(() => sqsHandler({ handle, concurency: 5 } as never));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(/^concurency: unknown option; allowed: .*concurrency/);
  });

  it('rejects an unknown key inside metrics', () => {
    const error = configErrorOf(() => sqsHandler({ handle, metrics: emfMetrics({ namespace: 'S', dimension: {} } as never) }));
    expect(error.problems).toEqual(['metrics.dimension: unknown option; allowed: namespace, dimensions']);
  });

  it('reports every problem in one ConfigError', () => {
    const error = configErrorOf(() => sqsHandler({
      handle,
      concurrency: 0,
      envelope: 'xml',
      deadlineMarginMs: -5,
      logger: 'console',
      bogus: 1,
      alsoBogus: 2,
    } as never));
    expect(error.problems).toHaveLength(6);
    for (const name of ['concurrency', 'envelope', 'deadlineMarginMs', 'logger', 'bogus', 'alsoBogus']) {
      expect(error.problems.some((p) => p.startsWith(`${name}:`))).toBe(true);
      expect(error.message).toContain(`${name}:`);
    }
  });

  it('rejects a missing or non-function handle, naming handle', () => {
    for (const bad of [undefined, null, 'fn', {}]) {
      const error = configErrorOf(() => sqsHandler({ handle: bad } as never));
      expect(error.problems[0]).toMatch(/^handle: received /);
    }
  });

  it('rejects options that are not an object in processBatch', async () => {
    const error = await processBatch([sqsRecord()], handle, 'fast' as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems[0]).toMatch(/^options: received "fast"/);
  });

  it('never quotes a long string value in full', () => {
    const long = 'x'.repeat(200);
    const error = configErrorOf(() => sqsHandler({ handle, envelope: long } as never));
    expect(error.message).not.toContain(long);
    expect(error.message).toContain('200 characters');
  });

  it.each([
    ['concurrency', 1],
    ['concurrency', 1000],
    ['deadlineMarginMs', 0],
    ['deadlineMarginMs', 900_000],
    ['envelope', 'auto'],
    ['envelope', 'sns'],
    ['envelope', 'none'],
    ['body', 'json'],
    ['body', 'text'],
    ['fifo', 'auto'],
    ['fifo', true],
    ['fifo', false],
    ['onGroupFailure', 'skip-group'],
    ['onGroupFailure', 'stop-batch'],
    ['dedupe', true],
    ['dedupe', false],
    ['dedupe', () => 'key'],
    ['logger', false],
    ['logger', logger],
    ['metrics', emfMetrics({ namespace: 'Sluice' })],
    ['metrics', emfMetrics({ namespace: 'Sluice', dimensions: { service: 'users' } })],
    ['schema', IdSchema],
    ['logFailures', 'detailed'],
    ['logFailures', 'codes'],
    ['logFailures', false],
    ['onFailure', notifyFailures(() => {})],
    ['onFailure', notifyFailures(async () => {})],
    ['concurrency', undefined],
  ])('accepts %s = %s', (name, value) => {
    expect(() => sqsHandler({ handle, logger: false, [name]: value } as SqsHandlerOptions)).not.toThrow();
  });

  it('validates when the handler is built, not on the first record', () => {
    // Nothing invokes the handler: the throw can only come from sqsHandler itself.
    expect(() => sqsHandler({ handle, body: 'yaml' } as never)).toThrow(ConfigError);
  });
});

describe('option defaults', () => {
  it('runs 10 records at a time by default', async () => {
    expect(SLUICE_DEFAULTS.concurrency).toBe(10);
    const gate = deferred();
    let inFlight = 0;
    const records = Array.from({ length: 25 }, () => sqsRecord());
    const pending = processBatch(records, async () => {
      inFlight++;
      await gate.promise;
      inFlight--;
    }, { logger: false });
    await waitFor(() => inFlight === 10, 'ten in flight');
    gate.resolve();
    expect((await pending).stats.maxInFlight).toBe(10);
  });

  it('stops starting records 1000 ms before the deadline by default', async () => {
    let t = 0;
    const runs = async (timeoutMs: number): Promise<string> => {
      const result = await processBatch([sqsRecord()], handle, { logger: false }, lambdaContext({ timeoutMs, now: () => t }));
      return result.outcomes[0]!.status;
    };
    expect(await runs(999)).toBe('skipped');
    expect(await runs(1001)).toBe('succeeded');
  });

  it('writes JSON log lines by default', async () => {
    const output = captureOutput();
    try {
      await processBatch([sqsRecord()], handle);
    } finally {
      output.restore();
    }
    const info = output.stdout().map((l) => JSON.parse(l) as { level: string; message: string });
    expect(info.some((l) => l.level === 'INFO')).toBe(true);
  });

  it('emits no metrics line unless metrics is set', async () => {
    const output = captureOutput();
    try {
      await processBatch([sqsRecord()], handle, { logger: false });
    } finally {
      output.restore();
    }
    expect(output.stdout()).toEqual([]);
  });
});
