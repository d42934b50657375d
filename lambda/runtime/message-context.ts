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

/** Assembles the context of one record. */
export function messageContext(
  record: SqsRecord,
  fifo: boolean,
  sns: SnsDetails | undefined,
  signal: AbortSignal,
  logger: SluiceLogger,
  lambdaContext: LambdaContext | undefined,
): MessageContext {
  const ctx: MessageContext = {
    messageId: record.messageId,
    record,
    attempt: attemptOf(record),
    attributes: attributesOf(record),
    signal,
    logger,
  };
  if (fifo) {
    const groupId = groupIdOf(record);
    if (groupId !== undefined) ctx.groupId = groupId;
  }
  if (sns !== undefined) ctx.sns = sns;
  if (lambdaContext !== undefined) ctx.lambdaContext = lambdaContext;
  return ctx;
}
