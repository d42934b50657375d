/**
 * The example's demo traffic: user sign-ups (with poison messages) for the `UserEvents`
 * topic and ordered order steps for the FIFO `Orders` topic, written as a `sluice dev
 * --events` file.
 */
import { writeFileSync } from 'node:fs';
import type { EventLine as KitEventLine } from '../local-api/index.ts';

/** An SNS string attribute. */
interface MessageAttributeValue { DataType: 'String'; StringValue: string }

/** One message to publish. */
export interface PlannedMessage {
  readonly message: string;
  readonly attributes: Record<string, MessageAttributeValue>;
  readonly groupId?: string;
  readonly deduplicationId?: string;
  readonly kind: 'user' | 'poison-json' | 'poison-schema' | 'poison-rejected' | 'order';
}

/** Sizes of the demo traffic. */
export interface DemoTrafficSizes {
  readonly users: number;
  readonly orders: number;
  /** Poison sign-ups: a third invalid JSON, a third schema violations, a third rejected (400) by the identity provider. */
  readonly poison: number;
  /**
   * Sign-ups published a second time later in the stream (a producer's retry: a new SNS
   * message with the same user), which `register-user`'s idempotency (keyed by `userId`) absorbs.
   * @default 0
   */
  readonly duplicates?: number;
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

/** One line of a `sluice dev --events` file (the kit's type), whose message the demo always writes as text. */
export interface DemoEventLine extends KitEventLine {
  readonly message: string;
}

function toLine(to: string, m: PlannedMessage): DemoEventLine {
  const attributes = Object.fromEntries(Object.entries(m.attributes).map(([k, v]) => [k, v.StringValue]));
  return {
    to, message: m.message, attributes,
    ...(m.groupId ? { groupId: m.groupId } : {}), ...(m.deduplicationId ? { deduplicationId: m.deduplicationId } : {}),
  };
}

/**
 * The demo's events in publish order: sign-ups to `UserEvents`, interleaved with the
 * order steps to `Orders` (each order's steps in order, one FIFO group).
 */
export function planDemoEvents(sizes: DemoTrafficSizes): DemoEventLine[] {
  const users = planUserEvents(sizes).map((m) => toLine('UserEvents', m));
  const copies = Math.min(sizes.duplicates ?? 0, sizes.users);
  for (let d = 0; d < copies; d++) {
    // The copy of sign-up i goes in a little later (20 % of the stream on), as a producer's retry would.
    const i = Math.floor((d * sizes.users) / Math.max(1, copies));
    const original = users.find((u) => u.message.includes(`"userId":"user-${i}"`) && !u.message.includes('@reject.invalid'));
    if (original) users.splice(Math.min(users.length, users.indexOf(original) + Math.ceil(users.length / 5)), 0, { ...original });
  }
  const orders = planOrders(sizes).flat().map((m) => toLine('Orders', m));
  const out: DemoEventLine[] = [];
  const ratio = orders.length === 0 ? Infinity : users.length / orders.length;
  let j = 0;
  for (let i = 0; i < users.length; i++) {
    out.push(users[i]!);
    while (j < orders.length && (i + 1) / ratio >= j + 1) out.push(orders[j++]!);
  }
  return [...out, ...orders.slice(j)];
}

/** Writes events as JSON Lines. */
export function writeEventsFile(file: string, events: readonly DemoEventLine[]): void {
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
}
