/**
 * The bad-input table: every case puts one bad record between two good ones and asserts
 * the exact batch outcome, the error class, and that the good records are unaffected.
 * Event-level cases (a record that could not be reported) assert the rejection instead.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  EnvelopeError,
  InvalidEventError,
  processBatch,
  sqsHandler,
  ValidationError,
} from '../../lambda/runtime/index.ts';
import type { BatchOptions, LambdaContext, MessageContext, OutcomeStatus, SqsEvent, SqsRecord } from '../../lambda/runtime/index.ts';
import { fifoEvent, lambdaContext, snsEnvelope, sqsRecord } from '../../lambda/runtime/testing.ts';
import { IdSchema } from './helpers.ts';

type ErrorClass = abstract new (...args: never[]) => Error;

interface RecordCase {
  /** The bad record; its messageId is 'bad' unless the case is about the messageId. */
  bad: () => SqsRecord;
  options?: BatchOptions<unknown>;
  /** Build the good records as FIFO records in their own groups. */
  fifo?: boolean;
  status: OutcomeStatus;
  error?: ErrorClass;
  /** Extra checks on what handle saw for the bad record. */
  check?: (seen: { message: unknown; ctx: MessageContext } | undefined) => void;
}

const withSchema = { schema: IdSchema } as BatchOptions<unknown>;
const MiB = 1024 * 1024;

function bad(body: unknown, extra: Parameters<typeof sqsRecord>[0] = {}): () => SqsRecord {
  return () => sqsRecord({ messageId: 'bad', body, ...extra });
}

function rawRecord(patch: (r: Record<string, unknown>) => void, body: unknown = { id: 'bad' }): () => SqsRecord {
  return () => {
    const r = sqsRecord({ messageId: 'bad', body }) as unknown as Record<string, unknown>;
    patch(r);
    return r as unknown as SqsRecord;
  };
}

function bigJson(bytes: number): string {
  const head = '{"id":"big","pad":"';
  return head + 'x'.repeat(bytes - head.length - 2) + '"}';
}

const recordCases: [string, RecordCase][] = [
  ['an empty body', { bad: bad(''), status: 'failed', error: ValidationError }],
  ['a whitespace-only body', { bad: bad('  \n\t'), status: 'failed', error: ValidationError }],
  ['a null body', { bad: rawRecord((r) => { r.body = null; }), status: 'failed', error: ValidationError }],
  ['a body that is a number, not a string', { bad: rawRecord((r) => { r.body = 42; }), status: 'failed', error: ValidationError }],
  ['a missing body', { bad: rawRecord((r) => { delete r.body; }), status: 'failed', error: ValidationError }],
  ['invalid JSON', { bad: bad('{"id": "x",'), status: 'failed', error: ValidationError }],
  ['JSON with a byte-order mark', { bad: bad('\uFEFF{"id":"x"}'), status: 'failed', error: ValidationError }],
  ['a JSON number where the schema wants an object', { bad: bad('42'), options: withSchema, status: 'failed', error: ValidationError }],
  ['a JSON array where the schema wants an object', { bad: bad('[{"id":"x"}]'), options: withSchema, status: 'failed', error: ValidationError }],
  ['JSON null where the schema wants an object', { bad: bad('null'), options: withSchema, status: 'failed', error: ValidationError }],
  ['a JSON string where the schema wants an object', { bad: bad('"{\\"id\\":\\"x\\"}"'), options: withSchema, status: 'failed', error: ValidationError }],
  ['a schema violation: wrong type', {
    bad: bad({ id: 7 }), options: withSchema, status: 'failed', error: ValidationError,
  }],
  ['a schema violation: missing field', { bad: bad({ name: 'no id' }), options: withSchema, status: 'failed', error: ValidationError }],
  ["an SNS envelope without Message (envelope: 'sns')", {
    bad: bad({ ...snsEnvelope({ id: 'x' }), Message: undefined }), options: { envelope: 'sns' }, status: 'failed', error: EnvelopeError,
  }],
  ["an SNS envelope without Message (envelope: 'auto', schema)", {
    bad: bad({ ...snsEnvelope({ id: 'x' }), Message: undefined }), options: withSchema, status: 'failed', error: ValidationError,
  }],
  ['an SNS Message that is not JSON', { bad: bad(snsEnvelope('id=x')), status: 'failed', error: ValidationError }],
  ["an SNS body with the wrong Type (envelope: 'sns')", {
    bad: bad({ ...snsEnvelope({ id: 'x' }), Type: 'Notice' }), options: { envelope: 'sns' }, status: 'failed', error: EnvelopeError,
  }],
  ["a SubscriptionConfirmation (envelope: 'sns')", {
    bad: bad({ ...snsEnvelope('confirm'), Type: 'SubscriptionConfirmation', Token: 't', SubscribeURL: 'https://x' }),
    options: { envelope: 'sns' }, status: 'failed', error: EnvelopeError,
  }],
  ["a SubscriptionConfirmation (envelope: 'auto', schema)", {
    bad: bad({ ...snsEnvelope('confirm'), Type: 'SubscriptionConfirmation' }), options: withSchema, status: 'failed', error: ValidationError,
  }],
  ["a plain body (envelope: 'sns')", { bad: bad({ id: 'x' }), options: { envelope: 'sns' }, status: 'failed', error: EnvelopeError }],
  ['a 1 MiB JSON body', {
    bad: bad(bigJson(MiB)), status: 'succeeded',
    check: (seen) => {
      expect(seen!.ctx.record.body.length).toBe(MiB);
      expect((seen!.message as { pad: string }).pad.length).toBe(MiB - '{"id":"big","pad":""}'.length);
    },
  }],
  ['a 1 MiB body that is not JSON', { bad: bad(`{${'x'.repeat(MiB - 1)}`), status: 'failed', error: ValidationError }],
  ['a 1 MiB SNS Message', {
    bad: bad(snsEnvelope(bigJson(MiB - 2048))), options: withSchema, status: 'succeeded',
    check: (seen) => expect(seen!.message).toEqual({ id: 'big' }),
  }],
  ['emoji and astral text (body: text)', {
    bad: bad('👩‍💻 café 𝄞 ✓'), options: { body: 'text' }, status: 'succeeded',
    check: (seen) => expect(seen!.message).toBe('👩‍💻 café 𝄞 ✓'),
  }],
  ['emoji inside JSON', {
    bad: bad({ id: '🚀', text: 'ünïcødé' }), options: withSchema, status: 'succeeded',
    check: (seen) => expect(seen!.message).toEqual({ id: '🚀' }),
  }],
  ['a lone surrogate inside a JSON string', {
    bad: bad('{"id":"\\ud800x"}'), options: withSchema, status: 'succeeded',
    check: (seen) => expect((seen!.message as { id: string }).id).toBe('\ud800x'),
  }],
  ['a lone surrogate in text (body: text)', {
    bad: bad('a\udc00b'), options: { body: 'text' }, status: 'succeeded',
    check: (seen) => expect(seen!.message).toBe('a\udc00b'),
  }],
  ['non-UTF-8 bytes, delivered as U+FFFD (body: text)', {
    bad: bad(Buffer.from([0x68, 0xff, 0xfe, 0x69]).toString('utf8')), options: { body: 'text' }, status: 'succeeded',
    check: (seen) => expect(seen!.message).toBe('h\uFFFD\uFFFDi'),
  }],
  ['non-UTF-8 bytes, delivered as U+FFFD (body: json)', {
    bad: bad(Buffer.from([0x7b, 0xff, 0x7d]).toString('utf8')), status: 'failed', error: ValidationError,
  }],
  ['binary message attributes', {
    bad: bad({ id: 'bin' }, { messageAttributes: { raw: new Uint8Array([0, 159, 146, 150]), name: 'n' } }), status: 'succeeded',
    check: (seen) => expect(seen!.ctx.attributes).toEqual({ raw: Buffer.from([0, 159, 146, 150]).toString('base64'), name: 'n' }),
  }],
  ['a message attribute with neither stringValue nor binaryValue', {
    bad: bad({ id: 'x' }, { messageAttributes: { list: { stringListValues: ['a'], binaryListValues: [], dataType: 'String' } } }),
    status: 'succeeded',
    check: (seen) => expect(seen!.ctx.attributes).toEqual({}),
  }],
  ['a record without system attributes', {
    bad: rawRecord((r) => { delete r.attributes; }), status: 'succeeded',
    check: (seen) => expect(seen!.ctx.attempt).toBe(1),
  }],
  ['a FIFO record without MessageGroupId (shared group)', {
    fifo: true,
    bad: () => sqsRecord({ messageId: 'bad', body: { id: 'nogroup' }, queueArn: 'arn:aws:sqs:us-east-1:123456789012:q.fifo' }),
    status: 'succeeded',
    check: (seen) => expect(seen!.ctx).not.toHaveProperty('groupId'),
  }],
  ['a duplicate of the first record\'s messageId', {
    bad: () => sqsRecord({ messageId: 'before', body: { id: 'copy' } }), status: 'duplicate',
  }],
  ['__proto__ in a JSON body', {
    bad: bad('{"id":"p","__proto__":{"polluted":"yes"}}'), status: 'succeeded',
    check: (seen) => {
      expect(Object.hasOwn(seen!.message as object, '__proto__')).toBe(true);
      expect(Object.getPrototypeOf(seen!.message)).toBe(Object.prototype);
    },
  }],
  ['__proto__ in a JSON body, through a schema', {
    bad: bad('{"id":"p","__proto__":{"polluted":"yes"}}'), options: withSchema, status: 'succeeded',
    check: (seen) => expect(seen!.message).toEqual({ id: 'p' }),
  }],
  ['constructor.prototype in a JSON body', { bad: bad('{"id":"c","constructor":{"prototype":{"polluted":"yes"}}}'), status: 'succeeded' }],
  ['__proto__ in an SNS envelope and its MessageAttributes', {
    bad: bad('{"Type":"Notification","TopicArn":"arn:t","MessageId":"m","Message":"{\\"id\\":\\"s\\",\\"__proto__\\":{\\"polluted\\":1}}",'
      + '"MessageAttributes":{"__proto__":{"Type":"String","Value":"x"},"ok":{"Type":"String","Value":"y"}},"__proto__":{"polluted":2}}'),
    status: 'succeeded',
    check: (seen) => {
      // `__proto__` is a legal attribute name: kept as an own value, not dropped or used as a prototype.
      expect(Object.keys(seen!.ctx.sns!.attributes).sort()).toEqual(['__proto__', 'ok']);
      expect(Object.getOwnPropertyDescriptor(seen!.ctx.sns!.attributes, '__proto__')?.value).toBe('x');
      expect(Object.getPrototypeOf(seen!.ctx.sns!.attributes)).toBe(Object.prototype);
    },
  }],
  ['__proto__ as a message attribute name', {
    bad: rawRecord((r) => {
      r.messageAttributes = JSON.parse('{"__proto__":{"stringValue":"x","dataType":"String"},"ok":{"stringValue":"y","dataType":"String"}}');
    }),
    status: 'succeeded',
    check: (seen) => {
      expect(seen!.ctx.attributes.ok).toBe('y');
      expect(Object.getOwnPropertyDescriptor(seen!.ctx.attributes, '__proto__')?.value).toBe('x');
      expect(Object.getPrototypeOf(seen!.ctx.attributes)).toBe(Object.prototype);
    },
  }],
];

/** Good records that succeed under the case's options. */
function goodRecord(messageId: string, c: RecordCase): SqsRecord {
  const message = { id: messageId };
  if (c.fifo) return fifoEvent([{ messageId, groupId: `g-${messageId}`, body: message }]).Records[0]!;
  if (c.options?.envelope === 'sns') return sqsRecord({ messageId, body: snsEnvelope(message) });
  return sqsRecord({ messageId, body: message });
}

function goodMessage(messageId: string, c: RecordCase): unknown {
  return c.options?.body === 'text' ? JSON.stringify({ id: messageId }) : { id: messageId };
}

afterEach(() => {
  // No case may pollute Object.prototype.
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
});

describe('bad records: one bad record between two good ones', () => {
  it.each(recordCases)('%s', async (_name, c) => {
    const records = [goodRecord('before', c), c.bad(), goodRecord('after', c)];
    const seen = new Map<number, { message: unknown; ctx: MessageContext }>();
    const handle = async (message: unknown, ctx: MessageContext): Promise<void> => {
      seen.set(records.indexOf(ctx.record), { message, ctx });
    };
    const options = { logger: false, ...c.options } as BatchOptions<unknown>;

    const result = await processBatch(records, handle, options);

    // The bad record: exact status and error class.
    const outcome = result.outcomes[1]!;
    expect(outcome.status).toBe(c.status);
    if (c.error) {
      expect(outcome.error).toBeInstanceOf(c.error);
      expect(seen.has(1)).toBe(false);
    } else if (c.status === 'succeeded') {
      expect(outcome.error).toBeUndefined();
      expect(seen.has(1)).toBe(true);
    }
    c.check?.(seen.get(1));

    // The good records: unaffected.
    expect(result.outcomes[0]).toMatchObject({ messageId: 'before', status: 'succeeded' });
    expect(result.outcomes[2]).toMatchObject({ messageId: 'after', status: 'succeeded' });
    expect(seen.get(0)!.message).toEqual(goodMessage('before', c));
    expect(seen.get(2)!.message).toEqual(goodMessage('after', c));

    // The batch outcome.
    const expected = c.status === 'failed' || c.status === 'skipped' ? [{ itemIdentifier: records[1]!.messageId }] : [];
    expect(result.batchItemFailures).toEqual(expected);
    expect(result.stats.total).toBe(3);

    // The same through the Lambda handler.
    const response = await sqsHandler({ ...options, handle })({ Records: records }, lambdaContext());
    expect(response).toStrictEqual({ batchItemFailures: expected });
  });

  it('has at least 25 record cases', () => {
    expect(recordCases.length).toBeGreaterThanOrEqual(25);
  });
});

const good = (id: string): SqsRecord => sqsRecord({ messageId: id, body: { id } });
const withBadRecord = (badRecord: unknown): SqsEvent => ({ Records: [good('before'), badRecord, good('after')] as SqsRecord[] });

const eventCases: [string, unknown][] = [
  ['null', null],
  ['undefined', undefined],
  ['a string', '{"Records":[]}'],
  ['a number', 42],
  ['an array of records', [good('a')]],
  ['an object without Records', { records: [good('a')] }],
  ['Records that is a string', { Records: 'none' }],
  ['Records that is an object', { Records: { 0: good('a') } }],
  ['Records that is null', { Records: null }],
  ['a null record', withBadRecord(null)],
  ['a record that is a string', withBadRecord('record')],
  ['a record that is a number', withBadRecord(7)],
  ['a record that is an array', withBadRecord([good('x')])],
  ['a record without messageId', withBadRecord({ ...good('x'), messageId: undefined })],
  ['a record with an empty messageId', withBadRecord({ ...good('x'), messageId: '' })],
  ['a record with a numeric messageId', withBadRecord({ ...good('x'), messageId: 12 })],
  ['a record from SNS', withBadRecord({ ...good('x'), eventSource: 'aws:sns' })],
  ['a record from Kinesis', withBadRecord({ ...good('x'), eventSource: 'aws:kinesis' })],
  ['a record without eventSource', withBadRecord({ ...good('x'), eventSource: undefined })],
];

describe('unreportable events: the invocation rejects and no record starts', () => {
  it.each(eventCases)('%s', async (_name, event) => {
    let calls = 0;
    const handle = async (): Promise<void> => void calls++;
    const error = await sqsHandler({ logger: false, handle })(event as SqsEvent, lambdaContext()).then(
      (response) => ({ resolvedWith: response }),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as InvalidEventError).code).toBe('INVALID_EVENT');
    const records = (event as { Records?: unknown } | null)?.Records;
    if (Array.isArray(records)) {
      await expect(processBatch(records as SqsRecord[], handle, { logger: false })).rejects.toBeInstanceOf(InvalidEventError);
    }
    expect(calls).toBe(0);
  });

  it('names the offending record by index in the error', async () => {
    const error = await processBatch(withBadRecord({ ...good('x'), messageId: '' }).Records, async () => {}, { logger: false }).catch((e: unknown) => e);
    expect((error as Error).message).toContain('Records[1]');
  });
});

const contextCases: [string, unknown][] = [
  ['no context', undefined],
  ['null', null],
  ['an empty object', {}],
  ['a string', 'context'],
  ['getRemainingTimeInMillis that is not a function', { getRemainingTimeInMillis: 5000 }],
  ['getRemainingTimeInMillis returning NaN', { getRemainingTimeInMillis: () => Number.NaN }],
  ['getRemainingTimeInMillis returning a string', { getRemainingTimeInMillis: () => '5000' }],
  ['getRemainingTimeInMillis returning undefined', { getRemainingTimeInMillis: () => undefined }],
  ['getRemainingTimeInMillis returning Infinity', { getRemainingTimeInMillis: () => Number.POSITIVE_INFINITY }],
  ['getRemainingTimeInMillis that throws', { getRemainingTimeInMillis: () => { throw new Error('no clock'); } }],
];

describe('missing or bogus Lambda context: no deadline, every record processed', () => {
  it.each(contextCases)('%s', async (_name, context) => {
    const records = [good('before'), sqsRecord({ messageId: 'bad', body: '{' }), good('after')];
    const seen: string[] = [];
    const handle = async (_m: unknown, ctx: MessageContext): Promise<void> => void seen.push(ctx.messageId);
    const result = await processBatch(records, handle, { logger: false }, context as LambdaContext);
    expect(result.outcomes.map((o) => o.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect(seen.sort()).toEqual(['after', 'before']);
    if (context !== null) {
      const response = await sqsHandler({ logger: false, handle })({ Records: records }, context as LambdaContext);
      expect(response).toStrictEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    }
  });
});
