import { describe, expect, it } from 'vitest';
import { deliveryKey } from '../../chaos/effects.ts';
import type { EffectRow } from '../../chaos/effects.ts';
import { parseChaosArgs } from '../../chaos/options.ts';
import { faultFor, isPoison } from '../../chaos/plan.ts';
import type { FaultPlan } from '../../chaos/plan.ts';
import { chaosIdOfBody, reconcile, reconcileEffects } from '../../chaos/reconcile.ts';
import type { EffectsInput } from '../../chaos/reconcile.ts';
import type { DeadLetter } from '../../chaos/reconcile.ts';
import { planTraffic } from '../../chaos/traffic.ts';

const plan = (seed: number): FaultPlan => ({ seed, transientRate: 0.1, permanentRate: 0.02, hangRate: 0.01, exitRate: 0.01, slowRate: 0.05, slowMaxMs: 100 });
const faults = (p: FaultPlan, role: 'lambda' | 'worker'): string[] => Array.from({ length: 2000 }, (_, i) => faultFor(p, `c${i}`, 1 + (i % 3), role));
const sizes = { messages: 500, workerShare: 0.3, duplicateRate: 0.1, bodyBytes: 80 };

describe('chaos fault plan', () => {
  it('gives the same faults and traffic for the same seed, and different ones for another seed', () => {
    expect(faults(plan(7), 'lambda')).toEqual(faults(plan(7), 'lambda'));
    expect(planTraffic(plan(7), sizes)).toEqual(planTraffic(plan(7), sizes));
    expect(faults(plan(8), 'lambda')).not.toEqual(faults(plan(7), 'lambda'));
    expect(planTraffic(plan(8), sizes).publications).not.toEqual(planTraffic(plan(7), sizes).publications);
  });

  it('never gives the worker a hang or an exit, and keeps poison poison on every attempt', () => {
    const worker = faults(plan(7), 'worker');
    expect(worker.filter((f) => f === 'hang' || f === 'exit')).toEqual([]);
    expect(new Set(faults(plan(7), 'lambda'))).toEqual(new Set(['ok', 'transient', 'permanent', 'hang', 'exit', 'slow']));
    const poison = Array.from({ length: 2000 }, (_, i) => `c${i}`).filter((id) => isPoison(plan(7), id));
    expect(poison.length).toBeGreaterThan(0);
    for (const id of poison) for (const attempt of [1, 2, 9]) expect(faultFor(plan(7), id, attempt, 'worker')).toBe('permanent');
  });
});

describe('chaos reconciliation', () => {
  const dl = (chaosId: string | undefined, via: DeadLetter['via']): DeadLetter => ({ chaosId, queueName: 'dlq', via, reason: via });

  it('counts an id neither processed nor dead-lettered with a reason as lost', () => {
    const r = reconcile(['c1', 'c2', 'c3', 'c4', 'c5'], new Map([['c1', 1], ['c2', 3]]), [dl('c3', 'runtime'), dl('c4', 'maxReceiveCount'), dl('c5', 'none')], new Set(['c3']));
    expect(r).toMatchObject({
      published: 5, processed: 2, duplicateIds: 1, extraProcessings: 2, deadLettered: 2, deadLetteredOnly: 2,
      deadLetteredVia: { runtime: 1, maxReceiveCount: 1, subscription: 0, none: 0 },
      poisonPlanned: 1, poisonDeadLetteredByRuntime: 1, poisonProcessed: 0, unexplainedDeadLetters: 1, lost: 1, lostIds: ['c5'],
    });
  });

  it('reads the chaos id through an SNS envelope', () => {
    expect(chaosIdOfBody(JSON.stringify({ Type: 'Notification', Message: JSON.stringify({ id: 'c42' }) }))).toBe('c42');
    expect(chaosIdOfBody('{"id":"c1"}')).toBe('c1');
    expect(chaosIdOfBody('not json')).toBeUndefined();
  });
});

describe('chaos side-effect reconciliation', () => {
  const effect = (id: string, effectAt: number, writer: string, attempt = 1): EffectRow => {
    const [role, pid] = writer.split('-');
    return { id, effectAt, attempt, messageId: `m-${id}-${effectAt}`, role: role as EffectRow['role'], pid: Number(pid), writer };
  };
  const done = (e: EffectRow): string => deliveryKey(e.writer, e.messageId, e.attempt);
  // c1: once, completed. c2: a SIGKILLed worker's effect that never completed, re-run on the Lambda side.
  // c3: a second effect after a completed one (the failure). c4: completion reached DynamoDB, the worker
  // process was not killed (unexplained). c5: poison with an effect. c6: processed without an effect.
  // c7: an effect in a crashed Lambda environment, never completed.
  const rows = {
    c1: effect('c1', 1, 'lambda-1-1'), c2a: effect('c2', 1, 'worker-11-0'), c2b: effect('c2', 5, 'lambda-1-1', 2),
    c3a: effect('c3', 1, 'lambda-1-1'), c3b: effect('c3', 2, 'lambda-1-2'), c4: effect('c4', 1, 'worker-12-0'),
    c5: effect('c5', 1, 'lambda-1-1'), c7: effect('c7', 1, 'lambda-1-3'),
  };
  const input: EffectsInput = {
    idempotency: true, published: ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'], effects: Object.values(rows),
    processed: new Map([['c1', 1], ['c2', 2], ['c3', 2], ['c4', 1], ['c5', 1], ['c6', 1], ['c7', 1]]), hits: new Map([['c1', 2]]),
    completed: new Set([done(rows.c1), done(rows.c2b), done(rows.c3a), done(rows.c3b), done(rows.c5)]),
    completedKeys: new Set(['c1', 'c2', 'c3', 'c4', 'c5']), poison: new Set(['c5']), killedWorkerPids: new Set([11]), lambdaEnvironmentsLost: 1,
  };

  it('with idempotency: an effect after a completed one is a duplicate; one before a crash ahead of completion is counted apart', () => {
    expect(reconcileEffects(input)).toMatchObject({
      effects: 8, idsWithEffect: 6, idsWithOneEffect: 4, idsWithSeveralEffects: 2, extraEffects: 2,
      effectsMoreThanOnce: 1, effectsMoreThanOnceIds: ['c3'],
      crashWindow: { effects: 3, lambda: 1, worker: 2, lambdaEnvironments: 1, workerProcesses: 2, completedAnyway: 1, reRun: 1, idsWithSecondEffect: 1, neverCompleted: 1, unexplained: 1 },
      processedWithCompletedKey: 5, processedWithoutEffect: 1, poisonWithEffect: 1,
      idsDeliveredMoreThanOnce: 3, extraDeliveries: 4, idempotentHits: 2,
    });
  });

  it('counts Lambda environments with unfinished completions beyond those that died as unexplained', () => {
    expect(reconcileEffects({ ...input, lambdaEnvironmentsLost: 0 }).crashWindow.unexplained).toBe(2);
  });

  it('without idempotency: every id with more than one effect', () => {
    expect(reconcileEffects({ ...input, idempotency: false })).toMatchObject({
      effectsMoreThanOnce: 2, effectsMoreThanOnceIds: ['c2', 'c3'], crashWindow: { effects: 0, reRun: 0 },
    });
  });
});

describe('chaos options', () => {
  it('runs with idempotency unless --idempotency false', () => {
    expect(parseChaosArgs([])).toMatchObject({ idempotency: true });
    expect(parseChaosArgs(['--idempotency', 'false'])).toMatchObject({ idempotency: false });
    expect(parseChaosArgs(['--idempotency', 'true'])).toMatchObject({ idempotency: true });
    expect(() => parseChaosArgs(['--idempotency', 'maybe'])).toThrow(/--idempotency: received maybe; allowed: true or false/);
  });
});
