import { afterEach, describe, expect, it, vi } from 'vitest';
import { emfMetrics, processBatch, sqsHandler } from '../../lambda/runtime/index.ts';
import type { BatchOptions, BatchStats } from '../../lambda/runtime/index.ts';
import { lambdaContext, sqsEvent, sqsRecord } from '../../lambda/runtime/testing.ts';
import { captureLogger, captureOutput, tick } from './helpers.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

interface Emf {
  _aws: { Timestamp: number; CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

const METRICS = [
  { Name: 'Records', Unit: 'Count' },
  { Name: 'Succeeded', Unit: 'Count' },
  { Name: 'Failed', Unit: 'Count' },
  { Name: 'Skipped', Unit: 'Count' },
  { Name: 'Duplicates', Unit: 'Count' },
  { Name: 'BatchDuration', Unit: 'Milliseconds' },
  { Name: 'MaxInFlight', Unit: 'Count' },
];

/** A batch with succeeded, failed and duplicate records. */
function mixedBatch() {
  return [
    sqsRecord({ messageId: 'ok', body: { fail: false } }),
    sqsRecord({ messageId: 'bad', body: { fail: true } }),
    sqsRecord({ messageId: 'ok', body: { fail: false } }),
    sqsRecord({ messageId: 'ok2', body: { fail: false } }),
  ];
}

const handle = async (m: { fail: boolean }): Promise<void> => {
  await tick();
  if (m.fail) throw new Error('x');
};

async function emfLinesOf(run: () => Promise<unknown>): Promise<{ lines: string[]; raw: string }> {
  const output = captureOutput();
  try {
    await run();
  } finally {
    output.restore();
  }
  return { lines: output.stdout(), raw: output.all() };
}

describe('EMF metrics', () => {
  it('writes one EMF line per batch to stdout with every metric, its unit and the batch stats', async () => {
    let stats: BatchStats | undefined;
    const before = Date.now();
    const { lines, raw } = await emfLinesOf(async () => {
      ({ stats } = await processBatch(mixedBatch(), handle, { logger: false, metrics: emfMetrics({ namespace: 'Sluice/Test', dimensions: { service: 'users', stage: 'dev' } }) }));
    });
    expect(lines).toHaveLength(1);
    expect(raw.endsWith('\n')).toBe(true);
    const emf = JSON.parse(lines[0]!) as Emf;
    expect(emf._aws.Timestamp).toBeGreaterThanOrEqual(before);
    expect(emf._aws.Timestamp).toBeLessThanOrEqual(Date.now());
    expect(emf._aws.CloudWatchMetrics).toHaveLength(1);
    const directive = emf._aws.CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe('Sluice/Test');
    expect(directive.Dimensions).toEqual([['service', 'stage']]);
    expect(directive.Metrics).toEqual(METRICS);
    expect(emf).toMatchObject({
      service: 'users',
      stage: 'dev',
      Records: 4,
      Succeeded: 2,
      Failed: 1,
      Skipped: 0,
      Duplicates: 1,
      BatchDuration: stats!.durationMs,
      MaxInFlight: stats!.maxInFlight,
    });
    // Every metric named in the directive has a numeric value at the root.
    for (const m of directive.Metrics) expect(typeof emf[m.Name]).toBe('number');
    // Every dimension named in the directive has a string value at the root.
    for (const d of directive.Dimensions.flat()) expect(typeof emf[d]).toBe('string');
  });

  it('uses one empty dimension set when no dimensions are given', async () => {
    const { lines } = await emfLinesOf(() => processBatch([sqsRecord()], handle as never, { logger: false, metrics: emfMetrics({ namespace: 'Sluice' }) }));
    const emf = JSON.parse(lines[0]!) as Emf;
    expect(emf._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([[]]);
    expect(emf).toMatchObject({ Records: 1, Succeeded: 1, Failed: 0 });
  });

  it('counts skipped records', async () => {
    const { lines } = await emfLinesOf(() => processBatch([sqsRecord(), sqsRecord()], handle as never, { logger: false, metrics: emfMetrics({ namespace: 'Sluice' }) }, lambdaContext({ timeoutMs: 1, now: () => 0 })));
    expect(JSON.parse(lines[0]!)).toMatchObject({ Records: 2, Skipped: 2, Succeeded: 0, MaxInFlight: 0 });
  });

  it('writes the metrics line whatever the logger is', async () => {
    const { logger, lines: logLines } = captureLogger();
    for (const options of [{ logger: false }, { logger }] as BatchOptions<never>[]) {
      const { lines } = await emfLinesOf(() => processBatch([sqsRecord()], async () => {}, { ...options, metrics: emfMetrics({ namespace: 'Sluice' }) }));
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toHaveProperty('_aws');
    }
    expect(logLines.length).toBeGreaterThan(0);
  });

  it('writes one line per batch, for each invocation of an sqsHandler', async () => {
    const handler = sqsHandler({ logger: false, metrics: emfMetrics({ namespace: 'Sluice' }), handle });
    const { lines } = await emfLinesOf(async () => {
      await handler(sqsEvent([{ body: { fail: false } }]), lambdaContext());
      await handler(sqsEvent([{ body: { fail: true } }, { body: { fail: false } }]), lambdaContext());
    });
    expect(lines.map((l) => JSON.parse(l) as Emf).map((e) => [e.Records, e.Failed])).toEqual([[1, 0], [2, 1]]);
  });

  it('writes an EMF line for an empty batch', async () => {
    const { lines } = await emfLinesOf(() => processBatch([], async () => {}, { logger: false, metrics: emfMetrics({ namespace: 'Sluice' }) }));
    expect(JSON.parse(lines[0]!)).toMatchObject({ Records: 0, Succeeded: 0, MaxInFlight: 0 });
  });

  it('writes nothing to stdout without metrics and with logger: false', async () => {
    const { raw } = await emfLinesOf(() => processBatch(mixedBatch(), handle, { logger: false }));
    expect(raw).toBe('');
  });
});
