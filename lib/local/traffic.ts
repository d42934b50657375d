/**
 * Publishes the events of `--events` files: to topics with SNS `Publish`, to queues with
 * SQS `SendMessage` (fauxqs has no SNS `PublishBatch`), with bounded parallelism. Events
 * that share a FIFO group go out one after the other, in file order.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import type { MessageAttributeValue, SNSClient } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { messageBody } from './events-file.ts';
import type { EventTarget, ParsedEvent } from './events-file.ts';

/** One message to send, resolved against the provisioned app. */
export interface OutgoingMessage {
  readonly event: ParsedEvent;
  readonly target: EventTarget;
  /** Topic ARN or queue URL. */
  readonly address: string;
  readonly body: string;
  readonly attributes: Record<string, MessageAttributeValue>;
}

/** Options of {@link publishMessages}. */
export interface PublishOptions {
  /** Calls in flight at most. */
  readonly concurrency: number;
  /** Messages per second at most; 0 = as fast as possible. */
  readonly ratePerSecond: number;
  readonly signal?: AbortSignal;
}

/** SNS/SQS string attributes from an event's `attributes`. */
export function stringAttributes(attributes: Readonly<Record<string, string>> | undefined): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes ?? {})) out[name] = { DataType: 'String', StringValue: value };
  return out;
}

/** Expands `repeat` and builds each message's body and attributes. */
export function outgoingMessages(events: readonly { event: ParsedEvent; target: EventTarget; address: string }[]): OutgoingMessage[] {
  const out: OutgoingMessage[] = [];
  for (const e of events) {
    const body = messageBody(e.event);
    const attributes = stringAttributes(e.event.attributes);
    for (let i = 0; i < (e.event.repeat ?? 1); i++) out.push({ ...e, body, attributes });
  }
  return out;
}

async function send(sns: SNSClient, sqs: SQSClient, m: OutgoingMessage): Promise<void> {
  const fifo = {
    ...(m.event.groupId ? { MessageGroupId: m.event.groupId } : {}),
    ...(m.event.deduplicationId ? { MessageDeduplicationId: m.event.deduplicationId } : {}),
  };
  const attributes = Object.keys(m.attributes).length > 0 ? { MessageAttributes: m.attributes } : {};
  if (m.target.kind === 'topic') {
    await sns.send(new PublishCommand({ TopicArn: m.address, Message: m.body, ...attributes, ...fifo, ...(m.event.subject ? { Subject: m.event.subject } : {}) }));
  } else {
    await sqs.send(new SendMessageCommand({ QueueUrl: m.address, MessageBody: m.body, ...attributes, ...fifo }));
  }
}

/**
 * Sends every message. Messages of one FIFO group (same address and `groupId`) are sent
 * in order by one lane; all others spread over `concurrency` lanes.
 *
 * @returns the number of messages sent.
 * @throws the first send error (the remaining messages are not sent).
 */
export async function publishMessages(sns: SNSClient, sqs: SQSClient, messages: readonly OutgoingMessage[], options: PublishOptions): Promise<number> {
  const groups = new Map<string, OutgoingMessage[]>();
  const jobs: OutgoingMessage[][] = [];
  for (const m of messages) {
    if (m.event.groupId === undefined) { jobs.push([m]); continue; }
    const key = `${m.address}\u0000${m.event.groupId}`;
    let group = groups.get(key);
    if (!group) { groups.set(key, group = []); jobs.push(group); }
    group.push(m);
  }
  let next = 0;
  let sent = 0;
  const started = Date.now();
  const pace = async (): Promise<void> => {
    if (options.ratePerSecond <= 0) return;
    const due = started + (sent / options.ratePerSecond) * 1000;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  };
  const lane = async (): Promise<void> => {
    for (let job = jobs[next++]; job !== undefined; job = jobs[next++]) {
      for (const m of job) {
        if (options.signal?.aborted) return;
        await pace();
        await send(sns, sqs, m);
        sent += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, lane));
  return sent;
}
