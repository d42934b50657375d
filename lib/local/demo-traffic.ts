/**
 * The demo traffic of `sluice dev`: user sign-ups (with poison messages) for the
 * `UserEvents` topic and ordered order steps for the FIFO `Orders` topic, published
 * with bounded parallelism (fauxqs has no SNS `PublishBatch`).
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import type { MessageAttributeValue, SNSClient } from '@aws-sdk/client-sns';

/** One message to publish. */
export interface PlannedMessage {
  readonly message: string;
  readonly attributes: Record<string, MessageAttributeValue>;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly kind: 'user' | 'poison-json' | 'poison-schema' | 'poison-rejected' | 'order';
}

/** Messages in publish order; a job's messages are published one after the other (a FIFO group). */
export type PublishJob = { readonly topicArn: string; readonly messages: readonly PlannedMessage[] };

/** Sizes of the demo traffic. */
export interface DemoTrafficSizes {
  readonly users: number;
  readonly orders: number;
  /** Poison sign-ups: a third invalid JSON, a third schema violations, a third rejected (400) by the identity provider. */
  readonly poison: number;
}

const eventType = (value: string): Record<string, MessageAttributeValue> => ({ eventType: { DataType: 'String', StringValue: value } });

function user(i: number, overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    type: 'UserRegistered', userId: `user-${i}`, email: `user${i}@example.com`, name: `User ${i}`,
    marketingOptIn: i % 3 === 0, registeredAt: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(), ...overrides,
  });
}

/** The sign-up messages: `users` valid ones with `poison` ones spread among them. */
export function planUserEvents(sizes: DemoTrafficSizes): PlannedMessage[] {
  const messages: PlannedMessage[] = [];
  for (let i = 0; i < sizes.users; i++) messages.push({ message: user(i), attributes: eventType('UserRegistered'), kind: 'user' });
  for (let p = 0; p < sizes.poison; p++) {
    const i = sizes.users + p;
    const poison: PlannedMessage = p % 3 === 0
      ? { message: `{"type":"UserRegistered","userId":"user-${i}",`, attributes: eventType('UserRegistered'), kind: 'poison-json' }
      : p % 3 === 1
        ? { message: user(i, { email: 'not-an-email', marketingOptIn: true }), attributes: eventType('UserRegistered'), kind: 'poison-schema' }
        : { message: user(i, { email: `user${i}@reject.invalid` }), attributes: eventType('UserRegistered'), kind: 'poison-rejected' };
    // Spread poison evenly through the stream.
    messages.splice(Math.floor(((p + 1) * messages.length) / (sizes.poison + 1)), 0, poison);
  }
  return messages;
}

/** The order messages: per order, the steps `placed`, `paid`, `shipped` in order (one FIFO group). */
export function planOrders(sizes: DemoTrafficSizes): PlannedMessage[][] {
  return Array.from({ length: sizes.orders }, (_, o) => (['placed', 'paid', 'shipped'] as const).map((step, sequence) => ({
    message: JSON.stringify({ orderId: `order-${o}`, step, sequence, amountCents: 1000 + o }),
    attributes: eventType(`Order${step[0]!.toUpperCase()}${step.slice(1)}`),
    groupId: `order-${o}`,
    deduplicationId: `order-${o}-${sequence}`,
    kind: 'order' as const,
  })));
}

/** Options of {@link publishJobs}. */
export interface PublishOptions {
  /** Publish calls in flight at most. */
  readonly concurrency: number;
  /** Messages per second at most; 0 = as fast as possible. */
  readonly ratePerSecond: number;
  /** Called after each successful publish. */
  readonly onPublished?: (job: PublishJob, message: PlannedMessage) => void;
  readonly signal?: AbortSignal;
}

/**
 * Publishes every job's messages (each job in order) with bounded parallelism.
 *
 * @returns the number of messages published.
 * @throws the first publish error (the remaining jobs are not started).
 */
export async function publishJobs(sns: SNSClient, jobs: readonly PublishJob[], options: PublishOptions): Promise<number> {
  let next = 0;
  let published = 0;
  const started = Date.now();
  const pace = async (): Promise<void> => {
    if (options.ratePerSecond <= 0) return;
    const due = started + (published / options.ratePerSecond) * 1000;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
  };
  const worker = async (): Promise<void> => {
    for (let job = jobs[next++]; job !== undefined; job = jobs[next++]) {
      for (const m of job.messages) {
        if (options.signal?.aborted) return;
        await pace();
        await sns.send(new PublishCommand({
          TopicArn: job.topicArn, Message: m.message, MessageAttributes: m.attributes,
          ...(m.groupId ? { MessageGroupId: m.groupId } : {}),
          ...(m.deduplicationId ? { MessageDeduplicationId: m.deduplicationId } : {}),
        }));
        published += 1;
        options.onPublished?.(job, m);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return published;
}
