/**
 * The `sluice dev` reconciliation: per function, what was routed to it (the published
 * messages that pass its subscription's filter policy), what it processed, what was
 * dead-lettered or filtered, and what is unaccounted for (lost).
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { matchesPattern, snsAttributeValues } from './emulator/index.ts';
import type { RunningFunction } from './local-app.ts';
import type { ProvisionedApp } from './provision.ts';
import { keyOf } from './model/index.ts';
import type { SubscriptionModel } from './model/index.ts';
import { LocalRuntimeError } from './errors.ts';

/** One function's line of the summary. */
export interface FunctionSummary {
  /** Messages routed to its queue (expected from the published messages and the filter policies). */
  routed: number;
  /** Receives, redeliveries included. */
  received: number;
  /** Distinct messages processed successfully (copies the runtime sent to the DLQ excluded). */
  succeeded: number;
  /** Records left for redelivery (a message retried twice counts twice). */
  retried: number;
  /** Distinct messages in its DLQs (queue redrive, runtime sends, subscription DLQ). */
  deadLettered: number;
  /** Of those, poison the runtime sent to the DLQ itself (`retry.deadLetter`), without waiting for `maxReceiveCount`. */
  deadLetteredByRuntime: number;
  /** Distinct messages deleted by its event filter. */
  filtered: number;
  /** Deliveries its idempotency store absorbed: succeeded without running, their key had completed before (from the runtime's batch log lines). */
  idempotentHits: number;
  invocations: number;
  /** Mean invocation duration, in milliseconds. */
  avgInvocationMs: number;
  /** Most invocations of the function in flight at once (all its mappings together). */
  maxConcurrentInvocations: number;
  /** routed − succeeded − deadLettered − filtered. */
  lost: number;
}

/** What `--summary-json` writes. */
export interface DevSummary {
  published: number;
  processed: number;
  retried: number;
  deadLettered: number;
  /** Dead-lettered by the runtime on the failing attempt (the rest by the queue's redrive policy). */
  deadLetteredByRuntime: number;
  filtered: number;
  /** Deliveries absorbed by idempotency, summed over the functions. */
  idempotentHits: number;
  lost: number;
  durationMs: number;
  drained: boolean;
  visibilityScale: number;
  functions: Record<string, FunctionSummary>;
}

/** Whether a subscription delivers a message (its filter policy, attributes or body scope). */
export function subscriptionAccepts(sub: SubscriptionModel, message: string, attributes: Record<string, MessageAttributeValue>): boolean {
  if (sub.filterPolicy === undefined) return true;
  if (sub.filterPolicyScope === 'MessageBody') {
    try {
      return matchesPattern(sub.filterPolicy, JSON.parse(message));
    } catch {
      return false;
    }
  }
  const attrs = Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { DataType: v.DataType ?? 'String', ...(v.StringValue !== undefined ? { StringValue: v.StringValue } : {}) }]));
  return matchesPattern(sub.filterPolicy, snsAttributeValues(attrs));
}

/** One message in a queue, as the fauxqs inspection API shows it. */
export interface QueuedMessage {
  readonly messageId: string;
  readonly body: string;
}

/** Messages currently in a queue (ready, delayed and in flight), read without receiving (fauxqs inspection API). */
export async function messagesIn(endpoint: string, queueName: string): Promise<QueuedMessage[]> {
  const response = await fetch(`${endpoint}/_fauxqs/queues/${encodeURIComponent(queueName)}`);
  if (!response.ok) throw new LocalRuntimeError(`Inspecting queue ${queueName} answered ${response.status}`);
  type M = { messageId: string; body: string };
  const body = (await response.json()) as { messages?: { ready?: M[]; delayed?: M[]; inflight?: { message: M }[] } };
  const m = body.messages ?? {};
  return [...(m.ready ?? []), ...(m.delayed ?? []), ...(m.inflight ?? []).map((x) => x.message)].map(({ messageId, body: b }) => ({ messageId, body: b }));
}

/**
 * Builds one function's summary line.
 *
 * @param routed - messages routed to the function's queues (from {@link subscriptionAccepts}).
 * @param idempotentHits - deliveries its idempotency store absorbed (from {@link idempotentHitsIn}).
 */
export async function summarizeFunction(app: ProvisionedApp, fn: RunningFunction, routed: number, idempotentHits = 0): Promise<FunctionSummary> {
  const received = new Set<string>();
  const succeeded = new Set<string>();
  const filtered = new Set<string>();
  const s = { received: 0, retried: 0, invocations: 0, invocationMs: 0 };
  for (const e of fn.emulators) {
    for (const id of e.ids.received) received.add(id);
    for (const id of e.ids.succeeded) succeeded.add(id);
    for (const id of e.ids.filtered) filtered.add(id);
    s.received += e.counters.received;
    s.retried += e.counters.retried;
    s.invocations += e.counters.batches;
    s.invocationMs += e.counters.invocationMs;
  }
  // Counted by body: a message dead-lettered twice (redelivered while its first copy was
  // being sent) is one message; SNS envelopes make every published message's body unique.
  const deadLetteredBodies = new Set<string>();
  const copiedBodies = new Set<string>();
  for (const q of fn.queues) {
    const dlqs = [
      ...(q.model.redrive ? [app.queue(q.model.redrive.deadLetterQueue)] : []),
      ...app.model.subscriptions.filter((sub) => keyOf(sub.queue) === keyOf(q.model) && sub.deadLetterQueue).map((sub) => app.queue(sub.deadLetterQueue!)),
    ];
    for (const dlq of dlqs) {
      for (const m of await messagesIn(app.endpoint, dlq.model.name)) {
        deadLetteredBodies.add(m.body);
        // A redriven message keeps its id; a copy the runtime sent (then reported succeeded) has a new one.
        if (!received.has(m.messageId)) copiedBodies.add(m.body);
      }
    }
  }
  const deadLettered = deadLetteredBodies.size;
  const processed = Math.max(0, succeeded.size - copiedBodies.size);
  return {
    routed, received: s.received, succeeded: processed, retried: s.retried, deadLettered, deadLetteredByRuntime: copiedBodies.size, filtered: filtered.size, idempotentHits,
    invocations: s.invocations, avgInvocationMs: s.invocations === 0 ? 0 : Math.round(s.invocationMs / s.invocations),
    maxConcurrentInvocations: fn.invoker.maxConcurrentInvocations,
    lost: routed - processed - deadLettered - filtered.size,
  };
}

/** Rows of the summary table, one per function, plus a total row. */
export function summaryRows(summary: DevSummary): (string | number)[][] {
  const rows: (string | number)[][] = Object.entries(summary.functions).map(([name, f]) => [
    name, f.routed, f.received, f.succeeded, f.idempotentHits, f.retried, f.deadLettered, f.deadLetteredByRuntime, f.filtered, f.lost, f.invocations, f.maxConcurrentInvocations, f.avgInvocationMs,
  ]);
  const total = Object.values(summary.functions).reduce((t, f) => ({ routed: t.routed + f.routed, received: t.received + f.received, inv: t.inv + f.invocations }), { routed: 0, received: 0, inv: 0 });
  rows.push(['total', total.routed, total.received, summary.processed, summary.idempotentHits, summary.retried, summary.deadLettered, summary.deadLetteredByRuntime, summary.filtered, summary.lost, total.inv, '', '']);
  return rows;
}

/** Headers matching {@link summaryRows}. */
export const SUMMARY_HEADERS = ['function', 'routed', 'received', 'succeeded', 'of which idempotent', 'retried', 'dead-lettered', 'of which at once', 'filtered', 'lost', 'invocations', 'max concurrent', 'avg ms'] as const;

const HITS = /"idempotentHits":(\d+)/;

/** The `idempotentHits` of a runtime "Batch processed" log line; 0 for any other line. */
export function idempotentHitsIn(line: string): number {
  if (!line.includes('"idempotentHits"')) return 0;
  const m = HITS.exec(line);
  return m ? Number(m[1]) : 0;
}
