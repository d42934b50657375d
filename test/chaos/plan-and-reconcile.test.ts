import { describe, expect, it } from 'vitest';
import { faultFor, isPoison } from '../../chaos/plan.ts';
import type { FaultPlan } from '../../chaos/plan.ts';
import { chaosIdOfBody, reconcile } from '../../chaos/reconcile.ts';
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
