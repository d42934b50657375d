/**
 * `logFailures`: what the warn line of a record that did not succeed says. `'detailed'`
 * (the default) adds the error's message, validation issue paths and codes, the cause
 * chain's names and codes and the attempt; `'codes'` is name and code only; `false` logs
 * no per-record line. In every mode: never a body, an attribute value or a fragment of either.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as z from 'zod/mini';
import { PermanentError, processBatch, TransientError, ValidationError } from '../../lambda/runtime/index.ts';
import type { BatchOptions, LogFailures } from '../../lambda/runtime/index.ts';
import { fifoEvent, sqsRecord } from '../../lambda/runtime/testing.ts';
import { captureLogger, captureOutput, handSchema, serializeDeep } from './helpers.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

const SECRET = 'Zq8-private-value';

/** Runs one record through `handle` and returns the fields of its warn line. */
async function warnOf(
  body: unknown,
  handle: (m: never) => unknown,
  options: BatchOptions<never> = {},
  receiveCount = 1,
): Promise<Record<string, unknown>> {
  const { logger, at, lines } = captureLogger();
  await processBatch([sqsRecord({ messageId: 'm', body, receiveCount, messageAttributes: { token: SECRET } })], handle, { ...options, logger });
  const warns = at('warn');
  expect(warns).toHaveLength(1);
  expect(warns[0]!.message).toBe('Record failed');
  for (const line of lines) expect(serializeDeep(line)).not.toContain(SECRET);
  return warns[0]!.fields!;
}

describe("logFailures: 'detailed' (the default)", () => {
  it("logs the message of an Error that handle threw, and the attempt (ApproximateReceiveCount)", async () => {
    const fields = await warnOf({ id: 1 }, () => {
      throw new Error('identity API answered 503');
    }, {}, 3);
    expect(fields).toStrictEqual({
      messageId: 'm',
      status: 'failed',
      attempt: 3,
      errorName: 'Error',
      errorMessage: 'identity API answered 503',
    });
  });

  it("logs a Sluice error's name, code and message", async () => {
    const fields = await warnOf({}, () => {
      throw new TransientError('throttled by the downstream');
    });
    expect(fields).toMatchObject({ errorName: 'TransientError', errorCode: 'TRANSIENT', errorMessage: 'throttled by the downstream', attempt: 1 });
  });

  it('gives a schema failure as issue paths and codes, never the values or the schema messages', async () => {
    const User = z.object({ email: z.email(), profile: z.object({ name: z.string().check(z.minLength(2)) }) });
    const fields = await warnOf({ email: `not-an-email ${SECRET}`, profile: { name: 'x' } }, () => {}, { schema: User as never });
    expect(fields).toStrictEqual({
      messageId: 'm',
      status: 'failed',
      attempt: 1,
      errorName: 'ValidationError',
      errorCode: 'VALIDATION',
      errorMessage: 'Message m: 2 schema issues at email, profile.name',
      issues: ['email: invalid_format', 'profile.name: too_small'],
    });
  });

  it('never logs schema issue messages, even when they quote the input (valibot-style `type` as code)', async () => {
    const Quoting = handSchema<never>((value) => ({
      issues: [
        { message: `Invalid email: Received "${(value as { email: string }).email}"`, path: [{ key: 'email' }], type: 'email' },
        { message: `Received ${JSON.stringify(value)}`, path: [] },
      ] as never,
    }));
    const fields = await warnOf({ email: SECRET }, () => {}, { schema: Quoting });
    expect(fields.issues).toEqual(['email: email', '(root)']);
    expect(JSON.stringify(fields)).not.toContain('Received');
  });

  it('gives a JSON syntax error as its position only', async () => {
    const body = `{"id": "${SECRET}", broken`;
    const fields = await warnOf(body, () => {});
    expect(fields).toMatchObject({ errorName: 'ValidationError', errorCode: 'VALIDATION' });
    expect(fields.errorMessage).toBe(`Message m: body is not valid JSON at position 28 (${body.length} characters)`);
    expect(fields).not.toHaveProperty('issues');
  });

  it('gives the end of the input as the position of truncated JSON, and no position when V8 names none', async () => {
    const truncated = `{"id": "${SECRET}", "n":`;
    expect((await warnOf(truncated, () => {})).errorMessage).toBe(`Message m: body is not valid JSON at position ${truncated.length} (${truncated.length} characters)`);
    // V8 quotes the input instead of naming a position here: "Unexpected token 'Z', "Zq8-…" is not valid JSON".
    expect((await warnOf(SECRET, () => {})).errorMessage).toBe(`Message m: body is not valid JSON (${SECRET.length} characters)`);
  });

  it("never takes a position from the input that a parser's message quotes", async () => {
    const body = 'position 4242424242';
    const fields = await warnOf(body, () => {});
    expect(fields.errorMessage).toBe(`Message m: body is not valid JSON (${body.length} characters)`);
  });

  it("omits the message of the engine's own errors, which quote values (JSON.parse, BigInt(), Node's argument checks)", async () => {
    const throwers: [string, string | undefined, (m: { raw: string }) => unknown][] = [
      ['SyntaxError', undefined, (m) => JSON.parse(m.raw)],
      ['SyntaxError', undefined, (m) => BigInt(m.raw)],
      ['TypeError', 'ERR_INVALID_ARG_TYPE', (m) => Buffer.alloc(m.raw as unknown as number)],
      ['RangeError', undefined, (m) => new Intl.NumberFormat('en', { style: 'currency', currency: m.raw })],
      ['TypeError', 'ERR_INVALID_URL', (m) => new URL(m.raw)],
    ];
    for (const [name, code, thrower] of throwers) {
      const fields = await warnOf({ raw: `{${SECRET}` }, thrower as never);
      expect(fields).toStrictEqual({ messageId: 'm', status: 'failed', attempt: 1, errorName: name, ...(code ? { errorCode: code } : {}) });
    }
  });

  it("logs the cause chain's names and codes, never its messages", async () => {
    const root = new TransientError(`pool exhausted for ${SECRET}`);
    const socket = Object.assign(new Error(`socket to ${SECRET} hung up`, { cause: root }), { code: 'ECONNRESET' });
    const fields = await warnOf({}, () => {
      throw new PermanentError('order rejected', { cause: socket });
    });
    expect(fields).toMatchObject({
      errorName: 'PermanentError',
      errorCode: 'PERMANENT',
      errorMessage: 'order rejected',
      causes: [{ name: 'Error', code: 'ECONNRESET' }, { name: 'TransientError', code: 'TRANSIENT' }],
    });
  });

  it('gives only the type of a thrown value that is not an Error, directly or as a cause', async () => {
    const cases: [unknown, string][] = [[`token ${SECRET}`, 'string'], [{ token: SECRET }, 'object'], [null, 'null'], [42, 'number']];
    for (const [thrown, type] of cases) {
      const fields = await warnOf({}, () => {
        throw thrown;
      });
      expect(fields).toMatchObject({ errorName: 'Error', errorMessage: `Non-error value thrown: ${type === 'null' ? 'object' : type}`, causes: [{ type }] });
      const wrapped = await warnOf({}, () => {
        throw new Error('wrapped', { cause: thrown });
      });
      expect(wrapped.causes).toEqual([{ type }]);
    }
  });

  it('stops a cyclic cause chain after five links', async () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const fields = await warnOf({}, () => {
      throw a;
    });
    expect(fields.causes).toHaveLength(5);
  });

  it('keeps the line, without details, for an error whose message is not a string or whose getters throw', async () => {
    const odd = Object.assign(new Error('x'), { message: { text: SECRET } });
    expect(await warnOf({}, () => {
      throw odd;
    })).toStrictEqual({ messageId: 'm', status: 'failed', attempt: 1, errorName: 'Error' });
    const hostile = new Error('y');
    Object.defineProperty(hostile, 'cause', { get: () => { throw new Error(SECRET); } });
    expect(await warnOf({}, () => {
      throw hostile;
    })).toMatchObject({ errorName: 'Error', errorMessage: 'y' });
  });

  it('cuts a long message at 1024 characters and lists at most five issues', async () => {
    const fields = await warnOf({}, () => {
      throw new Error('x'.repeat(5000));
    });
    expect(fields.errorMessage).toBe('x'.repeat(1024));
    const issues = Array.from({ length: 8 }, (_, i) => ({ message: 'bad', path: [`f${i}`] }));
    const many = await warnOf({}, () => {
      throw new ValidationError('Message m: 8 schema issues', issues);
    });
    expect(many.issues).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
  });

  it("carries the group's failure into the lines of the FIFO records it skipped", async () => {
    const { logger, at } = captureLogger();
    const event = fifoEvent([
      { messageId: 'a1', groupId: 'a', body: { fail: true } },
      { messageId: 'a2', groupId: 'a', body: {} },
    ]);
    await processBatch(event.Records, async (m: { fail?: boolean }) => {
      if (m.fail) throw new TransientError('downstream 503');
    }, { logger });
    expect(at('warn').map((l) => [l.fields!.messageId, l.fields!.status, l.fields!.errorMessage])).toEqual([
      ['a1', 'failed', 'downstream 503'],
      ['a2', 'skipped', 'downstream 503'],
    ]);
  });

  it('writes the detailed line through the default logger as one JSON object on stderr', async () => {
    vi.stubEnv('SLUICE_LOG_LEVEL', 'info');
    const output = captureOutput();
    try {
      await processBatch([sqsRecord({ messageId: 'bad', body: { email: SECRET } })], async () => {}, {
        schema: z.object({ email: z.email() }) as never,
      });
    } finally {
      output.restore();
      vi.unstubAllEnvs();
    }
    const warn = output.stderr().map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(warn).toEqual([expect.objectContaining({ level: 'WARN', messageId: 'bad', attempt: 1, issues: ['email: invalid_format'] })]);
    expect(output.all()).not.toContain(SECRET);
  });
});

describe("logFailures: 'codes'", () => {
  it('logs name and code only, as before, even when the message quotes the body', async () => {
    const fields = await warnOf({ id: 1 }, () => {
      throw new PermanentError(`cannot process ${SECRET}`, { cause: new Error(SECRET) });
    }, { logFailures: 'codes' }, 4);
    expect(fields).toStrictEqual({ messageId: 'm', status: 'failed', errorName: 'PermanentError', errorCode: 'PERMANENT' });
  });

  it('logs a validation failure without issues or position', async () => {
    expect(await warnOf('{', () => {}, { logFailures: 'codes' })).toStrictEqual({
      messageId: 'm', status: 'failed', errorName: 'ValidationError', errorCode: 'VALIDATION',
    });
  });
});

describe('logFailures: false', () => {
  it('logs no per-record line, but still the batch summary', async () => {
    const { logger, at } = captureLogger();
    const result = await processBatch([sqsRecord({ body: '{' }), sqsRecord()], async () => {}, { logger, logFailures: false });
    expect(result.stats.failed).toBe(1);
    expect(at('warn')).toEqual([]);
    expect(at('info')).toHaveLength(1);
  });
});

describe('the user error message is the user’s to log', () => {
  it.each<[LogFailures, boolean]>([['detailed', true], ['codes', false]])(
    'with logFailures %s, a message that handle built from the body is logged: %s',
    async (mode, logged) => {
      const { logger, lines } = captureLogger();
      await processBatch([sqsRecord({ body: { token: SECRET } })], async (m: { token: string }) => {
        throw new Error(`rejected ${m.token}`);
      }, { logger, logFailures: mode });
      expect(lines.some((l) => serializeDeep(l).includes(SECRET))).toBe(logged);
    },
  );
});
