/**
 * Builds the per-record `MessageContext` that `handle` receives.
 */
import type { LambdaContext, MessageContext, SluiceLogger, SnsDetails, SqsMessageAttribute, SqsRecord } from './types.ts';

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** `Number(ApproximateReceiveCount)`, or 1 when it is missing or not a positive integer. */
export function attemptOf(record: SqsRecord): number {
  const n = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/**
 * name → the string `valueOf` finds in each own entry of `raw` (entries without one are
 * left out; a `raw` that is not an object gives an empty map). One frozen empty map is
 * shared by every record without entries.
 */
export function stringMap<E>(raw: unknown, valueOf: (entry: E | null | undefined) => unknown): Readonly<Record<string, string>> {
  if (typeof raw !== 'object' || raw === null) return EMPTY;
  let out: Record<string, string> | undefined;
  for (const name in raw) {
    if (!Object.hasOwn(raw, name)) continue;
    const value = valueOf((raw as Record<string, E>)[name]);
    if (typeof value !== 'string') continue;
    out ??= {};
    // `__proto__` is a legal attribute name; plain assignment would drop it.
    if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    else out[name] = value;
  }
  return out ?? EMPTY;
}

const sqsValue = (a: SqsMessageAttribute | null | undefined): unknown => a?.stringValue ?? a?.binaryValue;

/** Message attributes as name → `stringValue`, or `binaryValue` (base64) for Binary ones. */
export function attributesOf(record: SqsRecord): Readonly<Record<string, string>> {
  return stringMap(record.messageAttributes, sqsValue);
}

/** The record's FIFO message group, if any. */
export function groupIdOf(record: SqsRecord): string | undefined {
  const g = record.attributes?.MessageGroupId;
  return typeof g === 'string' && g.length > 0 ? g : undefined;
}

/**
 * The context of one record. `attempt` and `attributes` are worked out when read
 * (`attributes` once, then kept): a handler that never reads them does not touch the record's
 * `attributes` and `messageAttributes`, which in a large batch are a cache miss each. They
 * are getters of the class, so `{ ...ctx }` copies only the other fields.
 */
class RecordContext implements MessageContext {
  declare messageId: string;
  declare record: SqsRecord;
  declare signal: AbortSignal;
  declare logger: SluiceLogger;
  declare groupId?: string;
  declare sns?: SnsDetails;
  declare lambdaContext?: LambdaContext;
  #attributes: Readonly<Record<string, string>> | undefined;

  constructor(record: SqsRecord, signal: AbortSignal, logger: SluiceLogger) {
    this.messageId = record.messageId;
    this.record = record;
    this.signal = signal;
    this.logger = logger;
  }

  get attempt(): number {
    return attemptOf(this.record);
  }

  get attributes(): Readonly<Record<string, string>> {
    return (this.#attributes ??= attributesOf(this.record));
  }
}

/** Assembles the context of one record. */
export function messageContext(
  record: SqsRecord,
  fifo: boolean,
  sns: SnsDetails | undefined,
  signal: AbortSignal,
  logger: SluiceLogger,
  lambdaContext: LambdaContext | undefined,
): MessageContext {
  const ctx = new RecordContext(record, signal, logger);
  if (fifo) {
    const groupId = groupIdOf(record);
    if (groupId !== undefined) ctx.groupId = groupId;
  }
  if (sns !== undefined) ctx.sns = sns;
  if (lambdaContext !== undefined) ctx.lambdaContext = lambdaContext;
  return ctx;
}
