/**
 * The end of a chaos run: reads the dead-letter queues (fauxqs inspection API, nothing
 * received) and accounts for every published chaos id: processed at least once, or in a
 * DLQ with a reason. Anything else is lost. Then the side-effect ledger: how many effects
 * each id had, and with idempotency whether each extra one is explained.
 */
import { DLQ_ATTRIBUTES } from '../lambda/runtime/contract.ts';
import { deliveryKey } from './effects.ts';
import type { EffectRow } from './effects.ts';

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

/** What {@link reconcileEffects} reads. */
export interface EffectsInput {
  /** Whether the handler protected its effect with `idempotency`. */
  readonly idempotency: boolean;
  /** Every distinct chaos id published. */
  readonly published: readonly string[];
  /** The side-effect ledger. */
  readonly effects: readonly EffectRow[];
  /** Times each id was processed (ledger `P`) and had an idempotent hit (ledger `H`). */
  readonly processed: ReadonlyMap<string, number>;
  readonly hits: ReadonlyMap<string, number>;
  /** Deliveries whose guard returned from completing the key (ledger `C`, by {@link deliveryKey}). */
  readonly completed: ReadonlySet<string>;
  /** With idempotency: the chaos ids whose key is `COMPLETED` in the idempotency tables at the end. */
  readonly completedKeys: ReadonlySet<string>;
  readonly poison: ReadonlySet<string>;
  /** Pids of the sluice worker processes killed with SIGKILL. */
  readonly killedWorkerPids: ReadonlySet<number>;
  /** Lambda execution environments that died: crashed, or terminated at the function timeout. */
  readonly lambdaEnvironmentsLost: number;
}

/** The accounting of the side-effect ledger. */
export interface EffectsReconciliation {
  readonly idempotency: boolean;
  /** Effect rows, and distinct ids with at least one. */
  readonly effects: number;
  readonly idsWithEffect: number;
  /** Ids with exactly one effect row. */
  readonly idsWithOneEffect: number;
  /** Ids with more than one effect row, and the rows beyond the first (every one, explained or not). */
  readonly idsWithSeveralEffects: number;
  readonly extraEffects: number;
  /**
   * The headline. With idempotency: ids with an effect after a delivery of theirs had
   * completed the key (must be 0: the guard ran a delivery although the key had completed,
   * or two live claims overlapped). Without: ids with more than one effect.
   */
  readonly effectsMoreThanOnce: number;
  readonly effectsMoreThanOnceIds: readonly string[];
  /**
   * With idempotency: effects after which the invocation crashed before completing, i.e.
   * before the guard returned from completing the key (the process or thread died: a
   * sibling's hang or exit, a SIGKILL of the worker).
   */
  readonly crashWindow: {
    readonly effects: number;
    readonly lambda: number;
    readonly worker: number;
    /** Lambda environments (threads) and worker processes they happened in. */
    readonly lambdaEnvironments: number;
    readonly workerProcesses: number;
    /**
     * Of them: the completion had reached DynamoDB (the crash came while its answer was on
     * the way back): the key is completed, and no later effect of the id followed.
     */
    readonly completedAnyway: number;
    /**
     * Of them: followed by another effect of the same id. The completion had not reached
     * DynamoDB, the claim expired, and a retry ran the effect again: the case idempotency
     * cannot cover without an effect in the same transaction as the completion.
     */
    readonly reRun: number;
    /** Ids that, because of it, had a second effect. */
    readonly idsWithSecondEffect: number;
    /** Of them: last effect of its id, with the key not completed (the id was not run again, e.g. dead-lettered). */
    readonly neverCompleted: number;
    /** Such effects not explained by a death: in a worker process not killed, or in more Lambda environments than died (must be 0). */
    readonly unexplained: number;
  };
  /** With idempotency: processed ids whose key is completed in DynamoDB at the end. */
  readonly processedWithCompletedKey: number;
  /** Processed ids (ledger `P`) without an effect, and poison ids with one (both must be 0). */
  readonly processedWithoutEffect: number;
  readonly poisonWithEffect: number;
  /** Ids whose handler succeeded more than once: ran to the end (`P`) or was an idempotent hit (`H`); and those extra deliveries. */
  readonly idsDeliveredMoreThanOnce: number;
  readonly extraDeliveries: number;
  /** Idempotent hits (deliveries that found their key completed and were not run). */
  readonly idempotentHits: number;
}

/**
 * Reconciles the side-effect ledger: effects per id, and with idempotency which extra
 * effects a crash between an effect and its completion explains. An id's effects are taken
 * in time order; an effect after one whose delivery completed the key is a duplicate the
 * guard should have prevented.
 */
export function reconcileEffects(input: EffectsInput): EffectsReconciliation {
  const byId = new Map<string, EffectRow[]>();
  for (const e of input.effects) {
    let list = byId.get(e.id);
    if (!list) byId.set(e.id, list = []);
    list.push(e);
  }
  const window = { effects: 0, lambda: 0, worker: 0, completedAnyway: 0, reRun: 0, idsWithSecondEffect: 0, neverCompleted: 0, unexplained: 0 };
  const lambdaWriters = new Set<string>();
  const workerPids = new Set<number>();
  let one = 0, several = 0, extra = 0, moreThanOnce = 0;
  const moreThanOnceIds: string[] = [];
  for (const [id, list] of byId) {
    if (list.length === 1) one += 1;
    else { several += 1; extra += list.length - 1; }
    if (!input.idempotency) {
      if (list.length > 1) {
        moreThanOnce += 1;
        if (moreThanOnceIds.length < 50) moreThanOnceIds.push(id);
      }
      continue;
    }
    list.sort((a, b) => a.effectAt - b.effectAt);
    let afterCompletion = false, reRun = false, completedBefore = false;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (completedBefore) afterCompletion = true;
      if (input.completed.has(deliveryKey(e.writer, e.messageId, e.attempt))) {
        completedBefore = true;
        continue;
      }
      window.effects += 1;
      if (e.role === 'lambda') {
        window.lambda += 1;
        lambdaWriters.add(e.writer);
      } else {
        window.worker += 1;
        workerPids.add(e.pid);
        if (!input.killedWorkerPids.has(e.pid)) window.unexplained += 1;
      }
      if (i < list.length - 1) {
        window.reRun += 1;
        reRun = true;
      } else if (input.completedKeys.has(id)) {
        window.completedAnyway += 1;
        completedBefore = true;
      } else {
        window.neverCompleted += 1;
      }
    }
    if (reRun) window.idsWithSecondEffect += 1;
    if (afterCompletion) {
      moreThanOnce += 1;
      if (moreThanOnceIds.length < 50) moreThanOnceIds.push(id);
    }
  }
  window.unexplained += Math.max(0, lambdaWriters.size - input.lambdaEnvironmentsLost);
  let processedWithoutEffect = 0, processedWithCompletedKey = 0, poisonWithEffect = 0, deliveredMoreThanOnce = 0, extraDeliveries = 0, hits = 0;
  for (const id of input.published) {
    const processed = input.processed.get(id) ?? 0;
    const h = input.hits.get(id) ?? 0;
    hits += h;
    if (processed > 0 && !byId.has(id)) processedWithoutEffect += 1;
    if (processed > 0 && input.completedKeys.has(id)) processedWithCompletedKey += 1;
    if (input.poison.has(id) && byId.has(id)) poisonWithEffect += 1;
    if (processed + h > 1) { deliveredMoreThanOnce += 1; extraDeliveries += processed + h - 1; }
  }
  return {
    idempotency: input.idempotency, effects: input.effects.length, idsWithEffect: byId.size, idsWithOneEffect: one,
    idsWithSeveralEffects: several, extraEffects: extra, effectsMoreThanOnce: moreThanOnce, effectsMoreThanOnceIds: moreThanOnceIds,
    crashWindow: { ...window, lambdaEnvironments: lambdaWriters.size, workerProcesses: workerPids.size },
    processedWithCompletedKey, processedWithoutEffect, poisonWithEffect,
    idsDeliveredMoreThanOnce: deliveredMoreThanOnce, extraDeliveries, idempotentHits: hits,
  };
}
