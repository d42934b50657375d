/**
 * Decoding of one record: SNS envelope, then body, then schema (README "The runtime").
 * Error messages name the record, never quote its content.
 */
import { EnvelopeError, ValidationError, withoutStack } from './errors.ts';
import type { ValidationIssue } from './errors.ts';
import type { BodyMode, EnvelopeMode, SnsDetails, SqsRecord, StandardSchemaV1 } from './types.ts';

/** A decoded body before schema validation. */
export interface Decoded {
  value: unknown;
  sns: SnsDetails | undefined;
}

type Envelope = {
  Type: unknown; TopicArn: unknown; MessageId: unknown; Message: unknown;
  Subject?: unknown; Timestamp?: unknown; MessageAttributes?: unknown;
};

type Parsed = { ok: true; value: unknown } | { ok: false; at?: number | undefined };

function parseJson(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    // The SyntaxError may quote the input, so only the position it names is kept, never the
    // error itself. No quote may follow the match: V8 quotes input as `"…" is not valid JSON`.
    const m = /position (\d+)[^"]*$|end of JSON input$/.exec(String((e as Error).message));
    return { ok: false, at: m === null ? undefined : Number(m[1] ?? text.length) };
  }
}

function isEnvelope(v: unknown): v is Envelope {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const e = v as Envelope;
  return e.Type === 'Notification' && typeof e.TopicArn === 'string' && typeof e.MessageId === 'string' && typeof e.Message === 'string';
}

const NO_ATTRIBUTES: Record<string, string> = Object.freeze({}) as Record<string, string>;

function snsAttributes(raw: unknown): Record<string, string> {
  if (typeof raw !== 'object' || raw === null) return NO_ATTRIBUTES;
  let attributes: Record<string, string> | undefined;
  for (const name in raw) {
    if (!Object.hasOwn(raw, name)) continue;
    const value = ((raw as Record<string, unknown>)[name] as { Value?: unknown } | null)?.Value;
    if (typeof value !== 'string') continue;
    attributes ??= {};
    // `__proto__` is a legal attribute name; plain assignment would drop it.
    if (name === '__proto__') Object.defineProperty(attributes, name, { value, enumerable: true, writable: true, configurable: true });
    else attributes[name] = value;
  }
  return attributes ?? NO_ATTRIBUTES;
}

function snsDetails(e: Envelope): SnsDetails {
  const attributes = snsAttributes(e.MessageAttributes);
  const details: SnsDetails = {
    topicArn: e.TopicArn as string,
    messageId: e.MessageId as string,
    timestamp: typeof e.Timestamp === 'string' ? e.Timestamp : '',
    attributes,
  };
  if (typeof e.Subject === 'string') details.subject = e.Subject;
  return details;
}

/** Quick pre-check that avoids a JSON parse for bodies that cannot be an object. */
function mayBeObject(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b) return true; // {
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return false;
}

/**
 * Unwraps the envelope and parses the body of one record.
 *
 * @throws {EnvelopeError} when `envelope: 'sns'` and the body is not an SNS notification
 * @throws {ValidationError} when the body is not a string, or not JSON with `body: 'json'`
 */
export function decodeBody(record: SqsRecord, envelope: EnvelopeMode, body: BodyMode): Decoded {
  const raw: unknown = record.body;
  if (typeof raw !== 'string') {
    throw withoutStack(() => new ValidationError(`Message ${record.messageId}: body is ${raw === null ? 'null' : typeof raw}, expected a string`));
  }
  let text = raw;
  let sns: SnsDetails | undefined;
  // A parse of the outer body done for envelope detection is reused for a JSON body.
  let parsed: Parsed | undefined;
  if (envelope !== 'none') {
    parsed = mayBeObject(raw) ? parseJson(raw) : { ok: false };
    if (parsed.ok && isEnvelope(parsed.value)) {
      sns = snsDetails(parsed.value);
      text = parsed.value.Message as string;
      parsed = undefined;
    } else if (envelope === 'sns') {
      throw withoutStack(() => new EnvelopeError(`Message ${record.messageId}: body is not an SNS notification envelope (envelope: 'sns')`));
    } else if (!parsed.ok) {
      parsed = undefined;
    }
  }
  if (body === 'text') return { value: text, sns };
  const result = parsed ?? parseJson(text);
  if (!result.ok) {
    const what = sns ? 'SNS Message' : 'body';
    const at = result.at === undefined ? '' : ` at position ${result.at}`;
    throw withoutStack(() => new ValidationError(`Message ${record.messageId}: ${what} is not valid JSON${at} (${text.length} characters)`));
  }
  return { value: result.value, sns };
}

function issuesOf(issues: readonly StandardSchemaV1.Issue[]): ValidationIssue[] {
  return issues.map((issue) => {
    // Not part of Standard Schema, but zod and ArkType give `code`, valibot `type`.
    const code = (issue as { code?: unknown }).code ?? (issue as { type?: unknown }).type;
    return {
      message: issue.message,
      path: (issue.path ?? []).map((p) => (typeof p === 'object' && p !== null ? p.key : p) as string | number),
      code: typeof code === 'string' ? code : undefined,
    };
  });
}

function schemaFailure(messageId: string, issues: readonly StandardSchemaV1.Issue[]): ValidationError {
  const list = issuesOf(issues);
  const paths: string[] = [];
  for (const issue of list) {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
    if (!paths.includes(path)) paths.push(path);
    if (paths.length === 5) break;
  }
  return withoutStack(() => new ValidationError(
    `Message ${messageId}: ${list.length} schema issue${list.length === 1 ? '' : 's'} at ${paths.join(', ')}`,
    list,
  ));
}

/**
 * Validates a decoded value with a Standard Schema.
 *
 * Returns the schema's output synchronously when the schema is synchronous, a promise
 * otherwise, so the hot path pays no extra await for sync schemas.
 *
 * @throws {ValidationError} with the schema's issues (sync schemas) or rejects with it
 */
export function validate(schema: StandardSchemaV1, value: unknown, messageId: string): unknown {
  const result = schema['~standard'].validate(value);
  if (result instanceof Promise) {
    return result.then((r: StandardSchemaV1.Result<unknown>) => {
      if (r.issues) throw schemaFailure(messageId, r.issues);
      return r.value;
    });
  }
  if (result.issues) throw schemaFailure(messageId, result.issues);
  return result.value;
}
