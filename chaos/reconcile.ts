/**
 * The end of a chaos run: reads the dead-letter queues (fauxqs inspection API, nothing
 * received) and accounts for every published chaos id: processed at least once, or in a
 * DLQ with a reason. Anything else is lost.
 */
import { DLQ_ATTRIBUTES } from '../lambda/runtime/contract.ts';

/** A dead-letter queue of the run and how a message gets there. */
export interface DeadLetterSource {
  readonly queueName: string;
  /** `consumer`: the consumer's DLQ (runtime sends and redrive policy); `subscription`: the SNS subscription's. */
  readonly kind: 'consumer' | 'subscription';
  /** `maxReceiveCount` of the source queue's redrive policy (consumer DLQs). */
  readonly maxReceiveCount: number;
}

/** One dead-lettered message with its reason. */
export interface DeadLetter {
  readonly chaosId: string | undefined;
  readonly queueName: string;
  /** `runtime` (sent at once with `sluice.errorCode`), `maxReceiveCount` (redrive policy), `subscription`, or `none` (no reason). */
  readonly via: 'runtime' | 'maxReceiveCount' | 'subscription' | 'none';
  readonly reason: string;
}

interface StoredMessage {
  messageId: string;
  body: string;
  approximateReceiveCount?: number;
  messageAttributes?: Record<string, { StringValue?: string; stringValue?: string }>;
}

/** Every message of a queue (ready, delayed, in flight), read without receiving. */
export async function inspectQueue(endpoint: string, queueName: string): Promise<StoredMessage[]> {
  const response = await fetch(`${endpoint}/_fauxqs/queues/${encodeURIComponent(queueName)}`);
  if (!response.ok) throw new Error(`Inspecting queue ${queueName} answered ${response.status}`);
  const body = (await response.json()) as { messages?: { ready?: StoredMessage[]; delayed?: StoredMessage[]; inflight?: { message: StoredMessage }[] } };
  const m = body.messages ?? {};
  return [...(m.ready ?? []), ...(m.delayed ?? []), ...(m.inflight ?? []).map((x) => x.message)];
}

/** The chaos id in a body: an SNS envelope around `{ id }`, or `{ id }` itself. */
export function chaosIdOfBody(body: string): string | undefined {
  try {
    let parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && (parsed as { Type?: unknown }).Type === 'Notification') {
      parsed = JSON.parse(String((parsed as { Message?: unknown }).Message));
    }
    const id = typeof parsed === 'object' && parsed !== null ? (parsed as { id?: unknown }).id : undefined;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Reads every DLQ and gives each message its reason. */
export async function readDeadLetters(endpoint: string, sources: readonly DeadLetterSource[]): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  for (const source of sources) {
    for (const m of await inspectQueue(endpoint, source.queueName)) {
      const attr = (name: string): string | undefined => {
        const a = m.messageAttributes?.[name];
        return a?.StringValue ?? a?.stringValue;
      };
      const code = attr(DLQ_ATTRIBUTES.errorCode);
      const base = { chaosId: chaosIdOfBody(m.body), queueName: source.queueName };
      if (source.kind === 'subscription') out.push({ ...base, via: 'subscription', reason: 'SNS could not deliver to the queue' });
      else if (code !== undefined) out.push({ ...base, via: 'runtime', reason: `${code}: ${attr(DLQ_ATTRIBUTES.reason) ?? ''}` });
      else if ((m.approximateReceiveCount ?? 0) > source.maxReceiveCount) out.push({ ...base, via: 'maxReceiveCount', reason: 'maxReceiveCount exceeded' });
      else out.push({ ...base, via: 'none', reason: '' });
    }
  }
  return out;
}

/** The accounting of every published id. */
export interface Reconciliation {
  /** Distinct ids published. */
  readonly published: number;
  /** Distinct ids processed at least once. */
  readonly processed: number;
  /** Ids processed more than once, and the extra processings. */
  readonly duplicateIds: number;
  readonly extraProcessings: number;
  /** Distinct ids in a DLQ with a reason, by how they got there. */
  readonly deadLettered: number;
  readonly deadLetteredVia: Record<DeadLetter['via'], number>;
  /** Ids in a DLQ and never processed. */
  readonly deadLetteredOnly: number;
  /** Poison ids (plan) in a DLQ by the runtime; poison ids processed (must be 0). */
  readonly poisonPlanned: number;
  readonly poisonDeadLetteredByRuntime: number;
  readonly poisonProcessed: number;
  /** DLQ messages without a reason or a chaos id. */
  readonly unexplainedDeadLetters: number;
  /** Ids neither processed nor dead-lettered with a reason. */
  readonly lost: number;
  readonly lostIds: readonly string[];
}

/**
 * Reconciles the published ids against the ledger and the DLQs.
 *
 * @param published - every distinct chaos id published.
 * @param processed - times each id was processed (ledger `P` lines).
 * @param poison - the ids the plan made poison.
 */
export function reconcile(published: readonly string[], processed: ReadonlyMap<string, number>, deadLetters: readonly DeadLetter[], poison: ReadonlySet<string>): Reconciliation {
  const withReason = new Map<string, Set<DeadLetter['via']>>();
  const via: Record<DeadLetter['via'], number> = { runtime: 0, maxReceiveCount: 0, subscription: 0, none: 0 };
  let unexplained = 0;
  for (const d of deadLetters) {
    if (d.via === 'none' || d.chaosId === undefined) {
      unexplained += 1;
      continue;
    }
    let set = withReason.get(d.chaosId);
    if (!set) withReason.set(d.chaosId, set = new Set());
    set.add(d.via);
  }
  for (const set of withReason.values()) for (const v of set) via[v] += 1;
  let processedCount = 0, duplicateIds = 0, extra = 0, dlqOnly = 0, poisonByRuntime = 0, poisonProcessed = 0;
  const lostIds: string[] = [];
  for (const id of published) {
    const times = processed.get(id) ?? 0;
    const dlq = withReason.get(id);
    if (times > 0) processedCount += 1;
    if (times > 1) { duplicateIds += 1; extra += times - 1; }
    if (dlq && times === 0) dlqOnly += 1;
    if (poison.has(id)) {
      if (dlq?.has('runtime')) poisonByRuntime += 1;
      if (times > 0) poisonProcessed += 1;
    }
    if (times === 0 && !dlq) lostIds.push(id);
  }
  return {
    published: published.length, processed: processedCount, duplicateIds, extraProcessings: extra,
    deadLettered: withReason.size, deadLetteredVia: via, deadLetteredOnly: dlqOnly,
    poisonPlanned: poison.size, poisonDeadLetteredByRuntime: poisonByRuntime, poisonProcessed,
    unexplainedDeadLetters: unexplained, lost: lostIds.length, lostIds: lostIds.slice(0, 50),
  };
}
