/**
 * Loads the bad-input corpus (`test/corpus/*.json`) and builds each case's batch: for a
 * record-level case, a good record, the bad one (`messageId: 'bad'`) and another good one.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OrderEvent } from '../../lib/example/handlers/order-schemas.ts';
import { UserRegistered } from '../../lib/example/handlers/user-schemas.ts';
import { PermanentError } from '../../lambda/runtime/index.ts';
import type { BatchOptions, Handle, SqsRecord, StandardSchemaV1 } from '../../lambda/runtime/index.ts';
import { snsEnvelope, sqsRecord } from '../../lambda/runtime/testing.ts';

/** Marker placed in bad bodies and attribute values; no log line may contain it. */
export const SECRET_MARKER = 'S3CR3T';

interface BodyRepeat { prefix: string; unit: string; suffix: string; totalBytes: number; closeWith?: string }

/** One corpus file. */
export interface CorpusCase {
  file: string;
  name: string;
  description: string;
  level: 'event' | 'record';
  event?: unknown;
  record?: Record<string, unknown> & { bodyRepeat?: BodyRepeat };
  options?: { schema?: 'user' | 'order' | 'quoting'; envelope?: 'auto' | 'sns' | 'none'; body?: 'json' | 'text' };
  expect: { rejects?: string; batchItemFailures?: unknown[]; status?: string; errorCode?: string; errorClass?: string };
  checkPrototype?: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Every corpus case, in file order. */
export function loadCorpus(): CorpusCase[] {
  return readdirSync(here)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, ...(JSON.parse(readFileSync(join(here, file), 'utf8')) as Omit<CorpusCase, 'file'>) }));
}

function repeatBody(r: BodyRepeat): string {
  const count = r.closeWith !== undefined
    ? Math.floor(r.totalBytes / r.unit.length)
    : Math.floor((r.totalBytes - r.prefix.length - r.suffix.length) / r.unit.length);
  return r.prefix + r.unit.repeat(count) + r.suffix + (r.closeWith ?? '').repeat(r.closeWith ? count : 0);
}

/** The body of the case's bad record, or `undefined` when it is not a string. */
export function badBody(c: CorpusCase): unknown {
  const { bodyRepeat, body } = c.record ?? {};
  return bodyRepeat ? repeatBody(bodyRepeat) : body;
}

function goodBody(c: CorpusCase): string {
  const o = c.options ?? {};
  let inner: string;
  if (o.body === 'text') inner = 'hello';
  else if (o.schema === 'user') {
    inner = JSON.stringify({ type: 'UserRegistered', userId: 'u-good', email: 'good@example.com', name: 'Good', registeredAt: '2026-11-23T10:00:00Z' });
  } else if (o.schema === 'order') inner = JSON.stringify({ orderId: 'o-good', step: 'placed', sequence: 1 });
  else inner = '{}';
  return o.envelope === 'sns' ? JSON.stringify(snsEnvelope(inner)) : inner;
}

/** The three records of a record-level case: good-before, bad, good-after. */
export function caseRecords(c: CorpusCase): SqsRecord[] {
  const { bodyRepeat: _repeat, ...overrides } = c.record ?? {};
  const arn = typeof overrides.eventSourceARN === 'string' ? overrides.eventSourceARN : undefined;
  const good = (id: string): SqsRecord => sqsRecord({ messageId: id, body: goodBody(c), ...(arn ? { queueArn: arn } : {}) });
  const bad = { ...sqsRecord({ messageId: 'bad', ...(arn ? { queueArn: arn } : {}) }), ...overrides, body: badBody(c) } as SqsRecord;
  if (!('messageId' in overrides)) bad.messageId = 'bad';
  return [good('good-before'), bad, good('good-after')];
}

/**
 * A Standard Schema whose issue messages quote the input, as many schemas' messages do
 * (valibot's `Received "…"`, custom zod messages): it accepts `{}` (the good records) and
 * rejects any object with an `email`, quoting it. Only the issue's path and code may be logged.
 */
const QuotingSchema: StandardSchemaV1 = {
  '~standard': {
    version: 1,
    vendor: 'sluice-corpus',
    validate: (value: unknown) => {
      const email = (value as { email?: unknown } | null)?.email;
      if (email === undefined) return { value };
      const issue = { message: `Invalid email: Received ${JSON.stringify(email)}`, path: ['email'], code: 'invalid_format' };
      return { issues: [issue] };
    },
  },
};

/** The batch options of a case. */
export function caseOptions(c: CorpusCase): BatchOptions {
  const o = c.options ?? {};
  const schema = o.schema === 'user' ? UserRegistered : o.schema === 'order' ? OrderEvent : o.schema === 'quoting' ? QuotingSchema : undefined;
  return {
    ...(schema ? { schema } : {}),
    ...(o.envelope ? { envelope: o.envelope } : {}),
    ...(o.body ? { body: o.body } : {}),
  } as BatchOptions;
}

/**
 * The corpus handler: `{ poison: true }` is permanent, `{ throwString: true }` throws a
 * string, `{ throwMessage: true }` throws the message object itself, `{ parse: string }`
 * JSON-parses that field (a `SyntaxError` quoting it), and `{ causeQuotes: string }` throws
 * a `PermanentError` whose cause quotes that field.
 */
export const corpusHandle: Handle<unknown> = (message, ctx) => {
  const m = message as { poison?: unknown; throwString?: unknown; throwMessage?: unknown; parse?: unknown; causeQuotes?: unknown } | null;
  if (m?.poison === true) throw new PermanentError(`Message ${ctx.messageId} is poison`);
  // eslint-disable-next-line no-throw-literal
  if (m?.throwString === true) throw `${SECRET_MARKER} thrown string`;
  if (m?.throwMessage === true) throw m;
  if (typeof m?.parse === 'string') JSON.parse(m.parse);
  if (typeof m?.causeQuotes === 'string') {
    throw new PermanentError(`Message ${ctx.messageId} rejected upstream`, { cause: new Error(`upstream rejected ${m.causeQuotes}`) });
  }
  return undefined;
};
