import { afterEach, describe, expect, it, vi } from 'vitest';
import { createJsonLogger, emfMetrics, PermanentError, processBatch, sqsHandler, TransientError } from '../../lambda/runtime/index.ts';
import type { BatchOptions, MessageContext, SqsRecord } from '../../lambda/runtime/index.ts';
import { fifoEvent, lambdaContext, snsEnvelope, sqsEvent, sqsRecord } from '../../lambda/runtime/testing.ts';
import { captureLogger, captureOutput, IdSchema, serializeDeep } from './helpers.ts';

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

const SECRET = 'SeCrEt-7c0ffee-marker';

/**
 * A batch in which the secret marker sits in every place a careless runtime could leak
 * it from: valid bodies that fail the schema, invalid JSON, SNS Messages, envelope
 * attributes, string and binary message attributes, and errors thrown by handle.
 */
function leakyBatch(): SqsRecord[] {
  const binarySecret = new TextEncoder().encode(SECRET);
  return [
    sqsRecord({ messageId: 'ok', body: { id: SECRET }, messageAttributes: { token: SECRET, blob: binarySecret } }),
    sqsRecord({ messageId: 'schema', body: { id: 1, note: SECRET } }),
    sqsRecord({ messageId: 'json', body: `{"id": "${SECRET}", broken` }),
    sqsRecord({ messageId: 'sns-json', body: snsEnvelope(`not json ${SECRET}`, { messageAttributes: { k: SECRET }, subject: SECRET }) }),
    sqsRecord({ messageId: 'sns-schema', body: snsEnvelope({ id: 2, secret: SECRET }) }),
    sqsRecord({ messageId: 'throws', body: { id: 'throw', secret: SECRET }, messageAttributes: { token: SECRET } }),
    sqsRecord({ messageId: 'throws-value', body: { id: 'throw-value' } }),
    sqsRecord({ messageId: 'text', body: SECRET.repeat(3) }),
  ];
}

const leakyHandle = async (m: { id: string }): Promise<void> => {
  if (m.id === 'throw') throw new PermanentError(`cannot process ${JSON.stringify(m)}`, { cause: new Error(SECRET) });
  if (m.id === 'throw-value') throw `raw ${SECRET}`;
};

describe('logger: custom', () => {
  it('logs one info line per batch with the counts and duration', async () => {
    const { logger, lines, at } = captureLogger();
    await processBatch([sqsRecord({ body: { id: 'a' } }), sqsRecord({ body: '{' })], async () => {}, { logger });
    const info = at('info');
    expect(info).toHaveLength(1);
    expect(info[0]!.fields).toMatchObject({ total: 2, succeeded: 1, failed: 1, skipped: 0, duplicates: 0 });
    expect(typeof info[0]!.fields!.durationMs).toBe('number');
    expect(typeof info[0]!.fields!.maxInFlight).toBe('number');
    expect(lines.filter((l) => l.level === 'error' || l.level === 'debug')).toEqual([]);
  });

  it('logs one warn line per failed or skipped record, in record order, with messageId, errorName and errorCode (logFailures: codes)', async () => {
    const { logger, at } = captureLogger();
    const event = fifoEvent([
      { messageId: 'a1', groupId: 'a', body: { id: 'transient' } },
      { messageId: 'a2', groupId: 'a', body: { id: 'x' } },
      { messageId: 'b1', groupId: 'b', body: { id: 'plain' } },
      { messageId: 'b2', groupId: 'b', body: '{' }, // skipped after b1, never decoded
      { messageId: 'c1', groupId: 'c', body: { id: 'ok' } },
    ]);
    await processBatch(event.Records, async (m: { id: string }) => {
      if (m.id === 'transient') throw new TransientError('throttled');
      if (m.id === 'plain') throw new TypeError('plain');
    }, { logger, logFailures: 'codes' });
    const warns = at('warn').map((l) => l.fields);
    expect(warns).toEqual([
      { messageId: 'a1', status: 'failed', errorName: 'TransientError', errorCode: 'TRANSIENT' },
      { messageId: 'a2', status: 'skipped', errorName: 'TransientError', errorCode: 'TRANSIENT' },
      { messageId: 'b1', status: 'failed', errorName: 'TypeError' },
      { messageId: 'b2', status: 'skipped', errorName: 'TypeError' },
    ]);
  });

  it('logs no warn line when every record succeeded', async () => {
    const { logger, at } = captureLogger();
    await processBatch([sqsRecord(), sqsRecord()], async () => {}, { logger });
    expect(at('warn')).toEqual([]);
    expect(at('info')).toHaveLength(1);
  });

  it('carries the code of non-Sluice errors that have a string code', async () => {
    const { logger, at } = captureLogger();
    await processBatch([sqsRecord()], async () => {
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }, { logger });
    expect(at('warn')[0]!.fields).toMatchObject({ errorName: 'Error', errorCode: 'ECONNRESET' });
  });

  it('logs skipped deadline records at warn with code DEADLINE', async () => {
    const { logger, at } = captureLogger();
    await processBatch([sqsRecord({ messageId: 'late' })], async () => {}, { logger }, lambdaContext({ timeoutMs: 10, now: () => 0 }));
    expect(at('warn').map((l) => l.fields)).toEqual([{
      messageId: 'late',
      status: 'skipped',
      attempt: 1,
      errorName: 'DeadlineError',
      errorCode: 'DEADLINE',
      errorMessage: 'Message late: not started, less than 1000 ms left before the Lambda deadline',
    }]);
  });

  it('hands the configured logger to handle as ctx.logger', async () => {
    const { logger } = captureLogger();
    let seen: MessageContext['logger'] | undefined;
    await processBatch([sqsRecord()], async (_m, ctx) => void (seen = ctx.logger), { logger });
    expect(seen).toBe(logger);
  });
});

describe('logger: false', () => {
  it('writes nothing at all, even for failures, and hands handle a working no-op logger', async () => {
    const output = captureOutput();
    let ctxLogger: MessageContext['logger'] | undefined;
    try {
      await processBatch([sqsRecord(), sqsRecord({ body: '{' })], async (_m, ctx) => {
        ctxLogger = ctx.logger;
        ctx.logger.info('from handle');
        ctx.logger.debug('from handle');
        ctx.logger.warn('from handle');
        ctx.logger.error('from handle');
      }, { logger: false });
    } finally {
      output.restore();
    }
    expect(output.all()).toBe('');
    for (const m of ['debug', 'info', 'warn', 'error'] as const) expect(typeof ctxLogger![m]).toBe('function');
  });
});

describe('default logger', () => {
  it('writes the info line as JSON to stdout and warn lines as JSON to stderr', async () => {
    vi.stubEnv('SLUICE_LOG_LEVEL', undefined);
    vi.stubEnv('AWS_LAMBDA_LOG_LEVEL', undefined);
    const output = captureOutput();
    try {
      await processBatch([sqsRecord({ messageId: 'good' }), sqsRecord({ messageId: 'bad', body: '{' })], async () => {});
    } finally {
      output.restore();
    }
    const out = output.stdout().map((l) => JSON.parse(l) as Record<string, unknown>);
    const err = output.stderr().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ level: 'INFO', total: 2, succeeded: 1, failed: 1 });
    expect(typeof out[0]!.timestamp).toBe('string');
    expect(err).toHaveLength(1);
    expect(err[0]).toMatchObject({ level: 'WARN', messageId: 'bad', errorName: 'ValidationError', errorCode: 'VALIDATION' });
  });

  it('honours SLUICE_LOG_LEVEL', async () => {
    vi.stubEnv('SLUICE_LOG_LEVEL', 'warn');
    const output = captureOutput();
    try {
      await processBatch([sqsRecord({ messageId: 'bad', body: '{' })], async () => {});
    } finally {
      output.restore();
    }
    expect(output.stdout()).toEqual([]);
    expect(output.stderr()).toHaveLength(1);
  });

  it('honours AWS_LAMBDA_LOG_LEVEL when SLUICE_LOG_LEVEL is unset', () => {
    vi.stubEnv('SLUICE_LOG_LEVEL', undefined);
    vi.stubEnv('AWS_LAMBDA_LOG_LEVEL', 'ERROR');
    const output = captureOutput();
    try {
      const logger = createJsonLogger();
      logger.info('hidden');
      logger.warn('hidden');
      logger.error('shown', { n: 1 });
    } finally {
      output.restore();
    }
    expect(output.stdout()).toEqual([]);
    expect(output.stderr().map((l) => JSON.parse(l) as unknown)).toEqual([expect.objectContaining({ level: 'ERROR', message: 'shown', n: 1 })]);
  });

  it('writes bigint fields as strings instead of throwing', () => {
    const output = captureOutput();
    try {
      createJsonLogger('debug').debug('big', { n: 10n });
    } finally {
      output.restore();
    }
    expect(JSON.parse(output.stdout()[0]!)).toMatchObject({ level: 'DEBUG', n: '10' });
  });
});

describe('no body or attribute value in any log line', () => {
  const options: BatchOptions<{ id: string }> = { schema: IdSchema };

  it('keeps the secret out of every custom logger call (fields serialized deeply, errors included)', async () => {
    const { logger, lines } = captureLogger();
    const result = await processBatch(leakyBatch(), leakyHandle, { ...options, logger });
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['schema', 'json', 'sns-json', 'sns-schema', 'throws', 'throws-value', 'text']);
    expect(lines.length).toBe(8);
    for (const line of lines) expect(serializeDeep(line)).not.toContain(SECRET);
  });

  it('keeps the secret out of everything the default logger writes', async () => {
    vi.stubEnv('SLUICE_LOG_LEVEL', 'debug');
    const output = captureOutput();
    try {
      await processBatch(leakyBatch(), leakyHandle, options);
    } finally {
      output.restore();
    }
    expect(output.stdout().length + output.stderr().length).toBe(8);
    expect(output.all()).not.toContain(SECRET);
  });

  it('keeps the secret out of sqsHandler output, middy middleware included, at debug level', async () => {
    vi.stubEnv('SLUICE_LOG_LEVEL', 'debug');
    const consoleSpies = (['log', 'error', 'warn', 'info', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => {}));
    const output = captureOutput();
    const { logger, lines } = captureLogger();
    try {
      await sqsHandler({ ...options, handle: leakyHandle })(sqsEvent(leakyBatch()), lambdaContext());
      await sqsHandler({ ...options, logger, metrics: emfMetrics({ namespace: 'Sluice' }), handle: leakyHandle })(sqsEvent(leakyBatch()), lambdaContext());
    } finally {
      output.restore();
    }
    for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
    expect(output.all()).not.toContain(SECRET);
    expect(output.all().length).toBeGreaterThan(0);
    // The partial-batch middleware logs nothing of its own (its logger is off): the engine's warn lines say it all.
    expect(lines.filter((l) => l.level === 'debug')).toEqual([]);
    expect(lines.some((l) => l.level === 'warn')).toBe(true);
    for (const line of lines) expect(serializeDeep(line)).not.toContain(SECRET);
  });
});

describe('createJsonLogger', () => {
  it('stamps each line with the time as toISOString writes it', async () => {
    const output = captureOutput();
    const before = Date.now();
    try {
      createJsonLogger('info').info('hello');
    } finally {
      output.restore();
    }
    const after = Date.now();
    const { timestamp } = JSON.parse(output.stdout()[0]!) as { timestamp: string };
    expect(timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const t = Date.parse(timestamp);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(after);
    expect(new Date(t).toISOString()).toBe(timestamp);
  });

  it('formats single-digit fields with leading zeros', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-01-02T03:04:05.006Z'));
      const output = captureOutput();
      try {
        createJsonLogger('info').info('early');
      } finally {
        output.restore();
      }
      expect((JSON.parse(output.stdout()[0]!) as { timestamp: string }).timestamp).toBe('2026-01-02T03:04:05.006Z');
    } finally {
      vi.useRealTimers();
    }
  });
});
