/**
 * Builds the per-record `MessageContext` that `handle` receives.
 */
import type { LambdaContext, MessageContext, SluiceLogger, SnsDetails, SqsRecord } from './types.ts';

const EMPTY: Readonly<Record<string, string>> = Object.freeze({});

/** `Number(ApproximateReceiveCount)`, or 1 when it is missing or not a positive integer. */
export function attemptOf(record: SqsRecord): number {
  const n = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** Message attributes as name → `stringValue`, or `binaryValue` (base64) for Binary ones. */
export function attributesOf(record: SqsRecord): Readonly<Record<string, string>> {
  const attrs = record.messageAttributes;
  if (typeof attrs !== 'object' || attrs === null) return EMPTY;
  let out: Record<string, string> | undefined;
  for (const name in attrs) {
    if (!Object.hasOwn(attrs, name)) continue;
    const a = attrs[name];
    if (typeof a !== 'object' || a === null) continue;
    const value = a.stringValue ?? a.binaryValue;
    if (typeof value !== 'string') continue;
    out ??= {};
    // `__proto__` is a legal SQS attribute name; plain assignment would drop it.
    if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
    else out[name] = value;
  }
  return out ?? EMPTY;
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
