/**
 * The benchmark's input: one SQS event of SNS-enveloped `UserRegistered` messages,
 * every 10th one poison (fails schema validation), built with the runtime's own
 * fixture builders. Each body is a full SNS notification as SNS delivers it to SQS
 * (raw message delivery off): `Signature` (344 base64 characters, an RSA-2048
 * signature), `SigningCertURL`, `UnsubscribeURL` and `MessageAttributes` around the
 * ~410-byte user JSON, ~1.4 KB in all.
 */
import { createHash } from 'node:crypto';
import { sqsEvent, sqsRecord } from '../lambda/runtime/testing.ts';
import type { SqsEvent } from '../lambda/runtime/index.ts';

/** The event and the ids that must come back in `batchItemFailures`, in record order. */
export interface BenchInput {
  readonly event: SqsEvent;
  readonly poison: readonly string[];
  /** Mean size of the user JSON (the SNS `Message`), in bytes. */
  readonly messageBytes: number;
  /** Mean size of an SQS body (the SNS envelope), in bytes. */
  readonly bodyBytes: number;
}

/**
 * A ~400-byte user JSON: the `UserRegistered` fields plus profile fields the schema strips.
 * A poison user has an invalid email, so only the schema can tell it apart.
 */
export function userMessage(i: number, poison: boolean): Record<string, unknown> {
  const id = String(i).padStart(6, '0');
  return {
    type: 'UserRegistered',
    userId: `user-${id}-4f1c2a9e-8d3b-4c7a-9e21-5b6f0d8c3a17`,
    email: poison ? `not-an-email-${id}` : `ada.lovelace+${id}@example.com`,
    name: `Ada Lovelace ${id}`,
    marketingOptIn: i % 3 === 0,
    registeredAt: '2026-03-14T09:26:53.589Z',
    locale: 'en-GB',
    timezone: 'Europe/London',
    signupSource: 'web',
    referrer: 'https://www.example.com/spring',
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:136.0) Gecko/20100101 Firefox/136.0',
  };
}

const TOPIC_ARN = 'arn:aws:sns:eu-west-1:123456789012:user-events';

/** Deterministic pseudo-random bytes (a SHA-256 chain), so every run gets the same bodies. */
function bytes(seed: string, length: number): Buffer {
  const parts: Buffer[] = [];
  for (let k = 0; parts.length * 32 < length; k++) parts.push(createHash('sha256').update(`${seed}:${k}`).digest());
  return Buffer.concat(parts).subarray(0, length);
}

const uuid = (seed: string): string => {
  const h = bytes(seed, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
};

/**
 * The SQS body SNS delivers for `message` (raw message delivery off), every field SNS
 * sends, in its order: a 344-character `Signature` (base64 of 256 bytes, as SNS's
 * SHA1withRSA/SHA256withRSA 2048-bit signatures are), the real-shaped certificate and
 * unsubscribe URLs, and two string `MessageAttributes`.
 */
export function fullSnsBody(message: string, i: number): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: uuid(`sns-${i}`),
    TopicArn: TOPIC_ARN,
    Subject: 'UserRegistered',
    Message: message,
    Timestamp: '2026-03-14T09:26:53.612Z',
    SignatureVersion: '1',
    Signature: bytes(`signature-${i}`, 256).toString('base64'),
    SigningCertURL: 'https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-9c6465fa7f48f5cacd23014631ec1136.pem',
    UnsubscribeURL: `https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${TOPIC_ARN}:${uuid('subscription')}`,
    MessageAttributes: {
      eventType: { Type: 'String', Value: 'UserRegistered' },
      schemaVersion: { Type: 'String', Value: '3' },
    },
  });
}

/**
 * Builds `n` records; record `i` (0-based) is poison when `(i + 1) % 10 === 0`: with
 * `poison: 'schema'` (the default) its user has an invalid email, so only the schema can
 * tell; with `'json'` its SNS `Message` is cut short (not JSON), for handlers without a schema.
 */
export function buildInput(n: number, poisonKind: 'schema' | 'json' = 'schema'): BenchInput {
  const poison: string[] = [];
  let messageBytes = 0;
  let bodyBytes = 0;
  const records = [];
  for (let i = 0; i < n; i++) {
    const bad = (i + 1) % 10 === 0;
    const json = JSON.stringify(userMessage(i, bad && poisonKind === 'schema'));
    const message = bad && poisonKind === 'json' ? json.slice(0, -7) : json;
    const record = sqsRecord({
      messageId: `msg-${String(i).padStart(6, '0')}`,
      body: fullSnsBody(message, i),
      messageAttributes: { eventType: 'UserRegistered' },
    });
    messageBytes += Buffer.byteLength(message);
    bodyBytes += Buffer.byteLength(record.body);
    if (bad) poison.push(record.messageId);
    records.push(record);
  }
  return { event: sqsEvent(records), poison, messageBytes: messageBytes / n, bodyBytes: bodyBytes / n };
}

/**
 * Throws unless `failures` lists exactly the poison ids, each once (as a set: Powertools
 * reports in completion order, which need not be record order).
 */
export function checkFailures(row: string, failures: readonly { itemIdentifier: string }[] | undefined, poison: readonly string[]): void {
  const got = (failures ?? []).map((f) => f.itemIdentifier);
  const expected = new Set(poison);
  const seen = new Set(got);
  const missing = poison.filter((id) => !seen.has(id));
  const extra = got.filter((id) => !expected.has(id));
  if (got.length !== poison.length || seen.size !== got.length || missing.length > 0 || extra.length > 0) {
    throw new Error(
      `${row}: batchItemFailures wrong: got ${got.length} (${seen.size} distinct), expected ${poison.length}; ` +
        `missing ${JSON.stringify(missing.slice(0, 3))}, unexpected ${JSON.stringify(extra.slice(0, 3))}`,
    );
  }
}
