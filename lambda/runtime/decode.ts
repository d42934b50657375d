/**
 * Decoding of one record: SNS envelope, then body, then schema (README "The runtime").
 * Error messages name the record, never quote its content.
 */
import { EnvelopeError, ValidationError, withoutStack } from './errors.ts';
import { stringMap } from './message-context.ts';
import type { ValidationIssue } from './errors.ts';
import type { BodyMode, EnvelopeMode, SnsDetails, SqsRecord, StandardSchemaV1 } from './types.ts';

/** Where {@link decodeBody} puts the SNS details of an unwrapped envelope (no object per record). */
export interface SnsSink {
  sns: SnsDetails | undefined;
}

type Envelope = {
  Type: unknown; TopicArn: unknown; MessageId: unknown; Message: unknown;
  Subject?: unknown; Timestamp?: unknown; MessageAttributes?: unknown;
};

/** What {@link tryParse} returns for text that is not JSON (no JSON value is this object). */
const NOT_JSON: unknown = Object.freeze({});
/** The message of the parser's error for the last text {@link tryParse} refused, read at once by {@link notJson}. */
let parseError = '';

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    parseError = String((e as Error)?.message);
    return NOT_JSON;
  }
}

/** The error of a body (or SNS `Message`) that is not JSON: its length and the position the parser names, never the text. */
function notJson(record: SqsRecord, text: string, sns: boolean): ValidationError {
  // The SyntaxError may quote the input, so only the position it names is kept, never the
  // error itself. No quote may follow the match: V8 quotes input as `"…" is not valid JSON`.
  const m = /position (\d+)[^"]*$|end of JSON input$/.exec(parseError);
  const at = m === null ? '' : ` at position ${m[1] ?? text.length}`;
  return withoutStack(() => new ValidationError(`Message ${record.messageId}: ${sns ? 'SNS Message' : 'body'} is not valid JSON${at} (${text.length} characters)`));
}

function parseBody(record: SqsRecord, text: string, sns: boolean): unknown {
  const value = tryParse(text);
  if (value === NOT_JSON) throw notJson(record, text, sns);
  return value;
}

function isEnvelope(v: unknown): v is Envelope {
  // (An array has no `Type`.)
  const e = v as Envelope | null;
  return typeof e === 'object' && e !== null && e.Type === 'Notification' && typeof e.TopicArn === 'string' &&
    typeof e.MessageId === 'string' && typeof e.Message === 'string';
}

const snsValue = (a: { Value?: unknown } | null | undefined): unknown => a?.Value;

function snsDetails(e: Envelope): SnsDetails {
  const topicArn = e.TopicArn as string;
  const messageId = e.MessageId as string;
  const timestamp = typeof e.Timestamp === 'string' ? e.Timestamp : '';
  const attributes = stringMap(e.MessageAttributes, snsValue) as Record<string, string>;
  const details: SnsDetails = { topicArn, messageId, timestamp, attributes };
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
 * @param sink - gets the SNS details when an envelope was unwrapped (left as it is otherwise)
 * @returns the message before schema validation
 * @throws {EnvelopeError} when `envelope: 'sns'` and the body is not an SNS notification
 * @throws {ValidationError} when the body is not a string, or not JSON with `body: 'json'`
 */
export function decodeBody(record: SqsRecord, envelope: EnvelopeMode, body: BodyMode, sink: SnsSink): unknown {
  const raw: unknown = record.body;
  if (typeof raw !== 'string') {
    throw withoutStack(() => new ValidationError(`Message ${record.messageId}: body is ${raw === null ? 'null' : typeof raw}, expected a string`));
  }
  if (envelope === 'none') return body === 'text' ? raw : parseBody(record, raw, false);
  // A parse of the outer body done for envelope detection is reused for a JSON body.
  let outer = NOT_JSON;
  if (mayBeObject(raw)) {
    outer = tryParse(raw);
    if (isEnvelope(outer)) {
      sink.sns = snsDetails(outer);
      return body === 'text' ? outer.Message : parseBody(record, outer.Message as string, true);
    }
  }
  if (envelope === 'sns') {
    throw withoutStack(() => new EnvelopeError(`Message ${record.messageId}: body is not an SNS notification envelope (envelope: 'sns')`));
  }
  if (body === 'text') return raw;
  return outer === NOT_JSON ? parseBody(record, raw, false) : outer;
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
  // The first five distinct failing paths, in the schema's order.
  const paths = [...new Set(list.map((issue) => issue.path.join('.') || '(root)'))].slice(0, 5);
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
