import { describe, expect, it } from 'vitest';
import * as zm from 'zod/mini';
import { z } from 'zod';
import { EnvelopeError, PermanentError, processBatch, ValidationError } from '../../lambda/runtime/index.ts';
import type { BatchOptions, MessageContext, SqsRecord } from '../../lambda/runtime/index.ts';
import { snsEnvelope, sqsRecord } from '../../lambda/runtime/testing.ts';
import { handSchema, IdSchema } from './helpers.ts';

const quiet = { logger: false } as const;

/** Runs one record and returns what handle saw, plus the outcome. */
async function decodeOne(record: SqsRecord, options: BatchOptions<never> = {}) {
  let message: unknown;
  let ctx: MessageContext | undefined;
  let calls = 0;
  const result = await processBatch([record], async (m: unknown, c) => {
    calls++;
    message = m;
    ctx = c;
  }, { ...quiet, ...options } as BatchOptions<unknown>);
  return { message, ctx, calls, outcome: result.outcomes[0]!, result };
}

const user = { userId: 'u-1', email: 'ada@example.com' };

describe('envelope: auto', () => {
  it('unwraps an SNS envelope and passes its Message on', async () => {
    const { message, ctx } = await decodeOne(sqsRecord({ body: snsEnvelope(user) }));
    expect(message).toEqual(user);
    expect(ctx!.sns).toBeDefined();
  });

  it('sets ctx.sns with topicArn, messageId, subject, timestamp and attributes when unwrapping', async () => {
    const envelope = snsEnvelope(user, {
      topicArn: 'arn:aws:sns:eu-west-1:111122223333:user-events',
      messageId: 'sns-1',
      subject: 'signup',
      timestamp: '2026-01-02T03:04:05.678Z',
      messageAttributes: { eventType: 'UserRegistered' },
    });
    const { ctx } = await decodeOne(sqsRecord({ body: envelope }));
    expect(ctx!.sns).toEqual({
      topicArn: 'arn:aws:sns:eu-west-1:111122223333:user-events',
      messageId: 'sns-1',
      subject: 'signup',
      timestamp: '2026-01-02T03:04:05.678Z',
      attributes: { eventType: 'UserRegistered' },
    });
  });

  it('leaves subject out of ctx.sns when the envelope has none', async () => {
    const { ctx } = await decodeOne(sqsRecord({ body: snsEnvelope(user) }));
    expect(ctx!.sns).not.toHaveProperty('subject');
  });

  it('passes a body that is not an envelope on, with no ctx.sns', async () => {
    const { message, ctx } = await decodeOne(sqsRecord({ body: user }));
    expect(message).toEqual(user);
    expect(ctx).not.toHaveProperty('sns');
  });

  it.each([
    ['TopicArn missing', { Type: 'Notification', MessageId: 'x', Message: '{}' }],
    ['Message not a string', { Type: 'Notification', TopicArn: 'arn:t', MessageId: 'x', Message: { a: 1 } }],
    ['MessageId missing', { Type: 'Notification', TopicArn: 'arn:t', Message: '{}' }],
    ['Type SubscriptionConfirmation', { Type: 'SubscriptionConfirmation', TopicArn: 'arn:t', MessageId: 'x', Message: '{}' }],
  ])('treats a near-envelope (%s) as a plain body', async (_what, body) => {
    const { message, ctx } = await decodeOne(sqsRecord({ body }));
    expect(message).toEqual(body);
    expect(ctx).not.toHaveProperty('sns');
  });

  it('passes the unwrapped Message string on with body: text', async () => {
    const { message } = await decodeOne(sqsRecord({ body: snsEnvelope('plain words') }), { body: 'text' });
    expect(message).toBe('plain words');
  });

  it('passes a non-JSON body on as text with body: text', async () => {
    const { message, ctx } = await decodeOne(sqsRecord({ body: 'hello, {world' }), { body: 'text' });
    expect(message).toBe('hello, {world');
    expect(ctx).not.toHaveProperty('sns');
  });

  it('unwraps only one level of envelope', async () => {
    const inner = snsEnvelope(user, { messageId: 'inner' });
    const { message, ctx } = await decodeOne(sqsRecord({ body: snsEnvelope(inner, { messageId: 'outer' }) }));
    expect(message).toEqual(inner);
    expect(ctx!.sns!.messageId).toBe('outer');
  });
});

describe('envelope: sns', () => {
  it('unwraps an SNS envelope', async () => {
    const { message, ctx } = await decodeOne(sqsRecord({ body: snsEnvelope(user, { messageId: 'sns-9' }) }), { envelope: 'sns' });
    expect(message).toEqual(user);
    expect(ctx!.sns!.messageId).toBe('sns-9');
  });

  it.each([
    ['a plain JSON object', JSON.stringify(user)],
    ['a body that is not JSON', 'not json at all'],
    ['a SubscriptionConfirmation', JSON.stringify({ ...snsEnvelope('{}'), Type: 'SubscriptionConfirmation' })],
    ['an UnsubscribeConfirmation', JSON.stringify({ ...snsEnvelope('{}'), Type: 'UnsubscribeConfirmation' })],
    ['an envelope without Message', JSON.stringify({ ...snsEnvelope('{}'), Message: undefined })],
    ['a JSON array', '[1,2]'],
    ['an empty body', ''],
  ])('fails %s with EnvelopeError and never calls handle', async (_what, body) => {
    const { outcome, calls } = await decodeOne(sqsRecord({ body }), { envelope: 'sns' });
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBeInstanceOf(EnvelopeError);
    expect(outcome.error).toBeInstanceOf(PermanentError);
    expect((outcome.error as EnvelopeError).code).toBe('ENVELOPE');
    expect(calls).toBe(0);
  });

  it('names the messageId in the EnvelopeError message', async () => {
    const { outcome } = await decodeOne(sqsRecord({ messageId: 'env-42', body: '{}' }), { envelope: 'sns' });
    expect(outcome.error!.message).toContain('env-42');
  });
});

describe('envelope: none', () => {
  it('passes an envelope body on untouched', async () => {
    const envelope = snsEnvelope(user);
    const { message, ctx } = await decodeOne(sqsRecord({ body: envelope }), { envelope: 'none' });
    expect(message).toEqual(envelope);
    expect(ctx).not.toHaveProperty('sns');
  });

  it('passes the exact body string with body: text', async () => {
    const body = JSON.stringify(snsEnvelope(user));
    const { message } = await decodeOne(sqsRecord({ body }), { envelope: 'none', body: 'text' });
    expect(message).toBe(body);
  });
});

describe('body', () => {
  it.each([
    ['a number', '42', 42],
    ['a string', '"hi"', 'hi'],
    ['null', 'null', null],
    ['an array', '[1,{"a":2}]', [1, { a: 2 }]],
    ['an object with surrounding whitespace', '  \n{"a":1}\t', { a: 1 }],
  ])('parses JSON %s with body: json', async (_what, body, expected) => {
    const { message, outcome } = await decodeOne(sqsRecord({ body }));
    expect(outcome.status).toBe('succeeded');
    expect(message).toEqual(expected);
  });

  it('fails invalid JSON with a ValidationError that has no issues and never quotes the input', async () => {
    const secret = 'SECRET-json-4b2a';
    const { outcome, calls } = await decodeOne(sqsRecord({ messageId: 'j-1', body: `{"token": "${secret}", oops}` }));
    expect(calls).toBe(0);
    expect(outcome.error).toBeInstanceOf(ValidationError);
    expect((outcome.error as ValidationError).code).toBe('VALIDATION');
    expect((outcome.error as ValidationError).issues).toEqual([]);
    expect(outcome.error!.message).toContain('j-1');
    expect(outcome.error!.message).not.toContain(secret);
    expect(outcome.error!.cause).toBeUndefined();
  });

  it('names the position of a JSON syntax error, the only part of the parser message it keeps', async () => {
    const body = '{"token": "SECRET-pos-77", oops}';
    const { outcome } = await decodeOne(sqsRecord({ messageId: 'j-2', body }));
    expect(outcome.error!.message).toBe(`Message j-2: body is not valid JSON at position 27 (${body.length} characters)`);
  });

  it('fails an SNS Message that is not JSON with a ValidationError that never quotes it', async () => {
    const secret = 'SECRET-msg-99ff';
    const { outcome } = await decodeOne(sqsRecord({ body: snsEnvelope(`not json ${secret}`) }));
    expect(outcome.error).toBeInstanceOf(ValidationError);
    expect(outcome.error!.message).not.toContain(secret);
    expect(JSON.stringify(outcome.error, Object.getOwnPropertyNames(outcome.error))).not.toContain(secret);
  });

  it('passes the body string untouched with body: text, even when it is JSON', async () => {
    const { message } = await decodeOne(sqsRecord({ body: '{"a":1}' }), { body: 'text' });
    expect(message).toBe('{"a":1}');
  });
});

describe('schema', () => {
  it('hands handle the schema output, not the parsed body', async () => {
    const Upper = handSchema<{ name: string }>((v) => ({ value: { name: String((v as { name: string }).name).toUpperCase() } }));
    const { message } = await decodeOne(sqsRecord({ body: { name: 'ada', extra: true } }), { schema: Upper as never });
    expect(message).toEqual({ name: 'ADA' });
  });

  it('validates after unwrapping and parsing: the schema receives the parsed SNS Message', async () => {
    const received: unknown[] = [];
    const spy = handSchema<unknown>((v) => {
      received.push(v);
      return { value: v };
    });
    await decodeOne(sqsRecord({ body: snsEnvelope(user) }), { schema: spy as never });
    expect(received).toEqual([user]);
  });

  it('validates a text body as the string', async () => {
    const received: unknown[] = [];
    const spy = handSchema<unknown>((v) => {
      received.push(v);
      return { value: v };
    });
    await decodeOne(sqsRecord({ body: '{"a":1}' }), { schema: spy as never, body: 'text' });
    expect(received).toEqual(['{"a":1}']);
  });

  it('fails a schema violation with ValidationError carrying the issues, and never calls handle', async () => {
    const { outcome, calls } = await decodeOne(sqsRecord({ messageId: 's-1', body: { id: 7 } }), { schema: IdSchema as never });
    expect(calls).toBe(0);
    expect(outcome.status).toBe('failed');
    expect(outcome.error).toBeInstanceOf(ValidationError);
    const error = outcome.error as ValidationError;
    expect(error.issues).toEqual([{ message: 'id: expected a string', path: ['id'] }]);
    expect(error.message).toContain('s-1');
    expect(error.message).toContain('id');
  });

  it('normalizes path segments given as { key } objects', async () => {
    const schema = handSchema<never>(() => ({ issues: [{ message: 'bad', path: [{ key: 'items' }, { key: 0 }, 'sku'] }] }));
    const { outcome } = await decodeOne(sqsRecord({ body: {} }), { schema: schema as never });
    expect((outcome.error as ValidationError).issues).toEqual([{ message: 'bad', path: ['items', 0, 'sku'] }]);
  });

  it('keeps the machine-readable code a schema gives its issues (zod: code, valibot: type), and nothing else', async () => {
    const schema = handSchema<never>(() => ({
      issues: [
        { message: 'a', path: ['x'], code: 'too_small', input: 'SECRET' },
        { message: 'b', path: ['y'], type: 'email', received: '"SECRET"' },
        { message: 'c', path: ['z'], code: 7 },
      ] as never,
    }));
    const { outcome } = await decodeOne(sqsRecord({ body: {} }), { schema: schema as never });
    expect((outcome.error as ValidationError).issues).toStrictEqual([
      { message: 'a', path: ['x'], code: 'too_small' },
      { message: 'b', path: ['y'], code: 'email' },
      { message: 'c', path: ['z'], code: undefined },
    ]);
  });

  it('never quotes the input in the ValidationError message, even for root-level issues', async () => {
    const secret = 'SECRET-schema-1c1c';
    const { outcome } = await decodeOne(sqsRecord({ body: { id: 1, secret } }), { schema: IdSchema as never });
    expect(outcome.error!.message).not.toContain(secret);
  });

  it('works with an async Standard Schema, for success and for failure', async () => {
    const AsyncId = handSchema<{ id: string }>((v) => {
      const id = (v as { id?: unknown }).id;
      return typeof id === 'string' ? { value: { id: `async:${id}` } } : { issues: [{ message: 'no id', path: ['id'] }] };
    }, { async: true });
    const seen: unknown[] = [];
    const result = await processBatch(
      [sqsRecord({ messageId: 'a', body: { id: 'x' } }), sqsRecord({ messageId: 'b', body: { id: 1 } })],
      async (m: { id: string }) => void seen.push(m),
      { ...quiet, schema: AsyncId },
    );
    expect(seen).toEqual([{ id: 'async:x' }]);
    expect(result.outcomes[1]!.error).toBeInstanceOf(ValidationError);
    expect((result.outcomes[1]!.error as ValidationError).issues).toEqual([{ message: 'no id', path: ['id'] }]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'b' }]);
  });

  it('fails only its record when the schema itself throws', async () => {
    const thrown = new Error('schema bug');
    const schema = handSchema<unknown>((v) => {
      if ((v as { explode?: boolean }).explode) throw thrown;
      return { value: v };
    });
    const result = await processBatch(
      [sqsRecord({ messageId: 'a', body: {} }), sqsRecord({ messageId: 'b', body: { explode: true } }), sqsRecord({ messageId: 'c', body: {} })],
      async () => {},
      { ...quiet, schema },
    );
    expect(result.outcomes.map((o) => o.status)).toEqual(['succeeded', 'failed', 'succeeded']);
    expect(result.outcomes[1]!.error).toBe(thrown);
  });

  it('works with a zod/mini schema, passing its output and reporting its issues', async () => {
    const User = zm.object({ userId: zm.string(), email: zm.email() });
    const seen: unknown[] = [];
    const result = await processBatch(
      [sqsRecord({ messageId: 'ok', body: { ...user, extra: 1 } }), sqsRecord({ messageId: 'bad', body: { userId: 'u-2', email: 'nope' } })],
      async (m) => void seen.push(m),
      { ...quiet, schema: User },
    );
    expect(seen).toEqual([user]);
    const error = result.outcomes[1]!.error as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i) => i.path)).toEqual([['email']]);
  });

  it('works with a classic zod schema, including transforms', async () => {
    const Order = z.object({ orderId: z.string(), total: z.string().transform(Number) });
    const seen: unknown[] = [];
    const result = await processBatch(
      [sqsRecord({ body: snsEnvelope({ orderId: 'o-1', total: '12.5' }) }), sqsRecord({ messageId: 'bad', body: { orderId: 3 } })],
      async (m) => void seen.push(m),
      { ...quiet, schema: Order },
    );
    expect(seen).toEqual([{ orderId: 'o-1', total: 12.5 }]);
    expect((result.outcomes[1]!.error as ValidationError).issues.map((i) => i.path).sort()).toEqual([['orderId'], ['total']]);
  });

  it('works with an async zod refinement', async () => {
    const Checked = z.object({ n: z.number() }).refine(async (v) => v.n > 0, { message: 'must be positive', path: ['n'] });
    const result = await processBatch(
      [sqsRecord({ messageId: 'pos', body: { n: 1 } }), sqsRecord({ messageId: 'neg', body: { n: -1 } })],
      async () => {},
      { ...quiet, schema: Checked },
    );
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'neg' }]);
    expect((result.outcomes[1]!.error as ValidationError).issues).toEqual([{ message: 'must be positive', path: ['n'], code: 'custom' }]);
  });
});
