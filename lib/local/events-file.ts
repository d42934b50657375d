/**
 * `sluice dev --events <file>`: JSON Lines of messages to publish, one per line, read
 * and checked in full before anything is published.
 *
 * ```jsonl
 * {"to": "Orders", "message": {"orderId": "o-1"}, "groupId": "o-1"}
 * {"to": "MyStack/UserEvents", "message": "plain text", "attributes": {"eventType": "Signup"}, "repeat": 3}
 * ```
 */
import { readFileSync } from 'node:fs';
import { SluiceError } from '../../lambda/runtime/index.ts';
import type { ModelResource, QueueModel, TopicModel } from './model/index.ts';

/** One line of an events file, as written. */
export interface EventLine {
  /** A topic or a queue: construct path, unique construct id, or physical name. */
  readonly to: string;
  /** Sent as is when a string, else as its `JSON.stringify`. */
  readonly message: unknown;
  /** Message attributes: name → string value. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** FIFO message group. */
  readonly groupId?: string;
  /** FIFO deduplication id. */
  readonly deduplicationId?: string;
  /** SNS subject (topics only). */
  readonly subject?: string;
  /** Publish this many copies. @default 1 */
  readonly repeat?: number;
}

/** A line that could not be read; names the file and the 1-based line number. */
export class EventsFileError extends SluiceError {
  readonly file: string;
  readonly line: number;
  constructor(file: string, line: number, reason: string, options?: ErrorOptions) {
    super('EVENTS_FILE', `${file}:${line}: ${reason}`, options);
    this.name = 'EventsFileError';
    this.file = file;
    this.line = line;
  }
}

/** One parsed line, with where it came from. */
export interface ParsedEvent extends EventLine {
  readonly file: string;
  readonly line: number;
}

const KEYS = new Set(['to', 'message', 'attributes', 'groupId', 'deduplicationId', 'subject', 'repeat']);
const MAX_REPEAT = 1_000_000;

/**
 * Reads and checks an events file. Blank lines and lines starting with `//` are skipped.
 *
 * @throws {EventsFileError} for the first bad line (unreadable file, not JSON, unknown key, wrong type).
 */
export function readEventsFile(file: string): ParsedEvent[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new EventsFileError(file, 0, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
  }
  const out: ParsedEvent[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('//')) return;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch {
      throw new EventsFileError(file, line, 'not a JSON object (each line must be one JSON object)');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EventsFileError(file, line, 'not a JSON object');
    const v = value as Record<string, unknown>;
    const unknown = Object.keys(v).filter((k) => !KEYS.has(k));
    if (unknown.length > 0) throw new EventsFileError(file, line, `unknown key ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${[...KEYS].join(', ')}`);
    if (typeof v.to !== 'string' || v.to === '') throw new EventsFileError(file, line, '"to" must be a non-empty string (a topic or queue)');
    if (!('message' in v) || v.message === undefined) throw new EventsFileError(file, line, '"message" is required (a string or any JSON value)');
    if (v.attributes !== undefined) {
      if (typeof v.attributes !== 'object' || v.attributes === null || Array.isArray(v.attributes)) throw new EventsFileError(file, line, '"attributes" must be an object of name → string value');
      for (const [name, attr] of Object.entries(v.attributes)) {
        if (typeof attr !== 'string') throw new EventsFileError(file, line, `attribute ${JSON.stringify(name)} must be a string`);
      }
    }
    for (const key of ['groupId', 'deduplicationId', 'subject'] as const) {
      if (v[key] !== undefined && (typeof v[key] !== 'string' || v[key] === '')) throw new EventsFileError(file, line, `"${key}" must be a non-empty string`);
    }
    if (v.repeat !== undefined && !(typeof v.repeat === 'number' && Number.isInteger(v.repeat) && v.repeat >= 1 && v.repeat <= MAX_REPEAT)) {
      throw new EventsFileError(file, line, `"repeat" must be an integer from 1 to ${MAX_REPEAT}`);
    }
    out.push({ ...(v as unknown as EventLine), file, line });
  });
  return out;
}

/** A resolved target: a topic or a queue of the app. */
export type EventTarget = { readonly kind: 'topic'; readonly resource: TopicModel } | { readonly kind: 'queue'; readonly resource: QueueModel };

/** The names a resource answers to, best first: 0 exact construct path, 1 parent construct path, 2 construct id, 3 physical name. */
function matchLevel(r: ModelResource, to: string, main: string): number | undefined {
  const full = `${r.stack}/${r.path}`;
  if (to === full || to === r.path) return 0;
  const parts = r.path.split('/');
  const isMain = parts.at(-1) === main;
  const parent = parts.slice(0, -1).join('/');
  if (isMain && (to === `${r.stack}/${parent}` || to === parent)) return 1;
  if (isMain && parts.length === 2 && to === parts[0]) return 2;
  if (to === r.name) return 3;
  return undefined;
}

/**
 * Finds the topic or queue an event's `to` names: by construct path (`MyStack/Orders/Queue`,
 * `Orders/Queue`, `MyStack/Orders`), by construct id when unique (`Orders`: an `EventTopic`'s
 * topic or a `QueueConsumer`'s queue), or by physical name.
 *
 * @throws {EventsFileError} when nothing or more than one resource matches.
 */
export function resolveTarget(event: ParsedEvent, topics: readonly TopicModel[], queues: readonly QueueModel[]): EventTarget {
  const candidates: { level: number; target: EventTarget }[] = [];
  for (const t of topics) {
    const level = matchLevel(t, event.to, 'Topic');
    if (level !== undefined) candidates.push({ level, target: { kind: 'topic', resource: t } });
  }
  for (const q of queues) {
    const level = matchLevel(q, event.to, 'Queue');
    if (level !== undefined) candidates.push({ level, target: { kind: 'queue', resource: q } });
  }
  if (candidates.length === 0) {
    const known = [...topics.map((t) => `${t.stack}/${t.path}`), ...queues.map((q) => `${q.stack}/${q.path}`)];
    throw new EventsFileError(event.file, event.line, `"to": ${JSON.stringify(event.to)} names no topic or queue of the app; known: ${known.join(', ')}`);
  }
  const best = Math.min(...candidates.map((c) => c.level));
  const top = candidates.filter((c) => c.level === best);
  if (top.length > 1) {
    throw new EventsFileError(event.file, event.line, `"to": ${JSON.stringify(event.to)} is ambiguous: ${top.map((c) => `${c.target.resource.stack}/${c.target.resource.path}`).join(', ')}; use a construct path`);
  }
  const target = top[0]!.target;
  if (target.resource.fifo && event.groupId === undefined) {
    throw new EventsFileError(event.file, event.line, `"groupId" is required: ${target.resource.stack}/${target.resource.path} is FIFO`);
  }
  if (target.resource.fifo && !target.resource.contentBasedDeduplication && event.deduplicationId === undefined) {
    throw new EventsFileError(event.file, event.line, `"deduplicationId" is required: ${target.resource.stack}/${target.resource.path} is FIFO without content-based deduplication`);
  }
  if (target.resource.fifo && event.deduplicationId !== undefined && (event.repeat ?? 1) > 1) {
    throw new EventsFileError(event.file, event.line, '"repeat" with a "deduplicationId" sends copies that FIFO deduplication drops; give each line its own id');
  }
  if (target.kind === 'queue' && event.subject !== undefined) {
    throw new EventsFileError(event.file, event.line, '"subject" applies to topics only');
  }
  return target;
}

/** The body an event sends: a string as is, any other JSON value as its `JSON.stringify`. */
export function messageBody(event: EventLine): string {
  return typeof event.message === 'string' ? event.message : JSON.stringify(event.message);
}
