/**
 * The seeded fault plan of a chaos run: which faults hit which message on which attempt.
 * A pure function of the seed, so the same seed gives the same plan in the orchestrator,
 * in every Lambda execution environment and in the worker process.
 */

/** The faults a handler attempt can be given. */
export const FAULTS = ['ok', 'transient', 'permanent', 'hang', 'exit', 'slow'] as const;
/** One of {@link FAULTS}. */
export type Fault = (typeof FAULTS)[number];

/** Where a message is consumed: the emulated Lambda function or the `sluice worker` process. */
export type ChaosRole = 'lambda' | 'worker';

/** Rates (0..1) and sizes of the faults; travels to the handler as JSON in `CHAOS_PLAN`. */
export interface FaultPlan {
  readonly seed: number;
  /** Per attempt: the handler throws a `TransientError`. */
  readonly transientRate: number;
  /** Per message (every attempt): the handler throws a `PermanentError` (poison). */
  readonly permanentRate: number;
  /** Per attempt, Lambda only: the handler blocks its thread past the function timeout. */
  readonly hangRate: number;
  /** Per attempt, Lambda only: the handler calls `process.exit(1)`. */
  readonly exitRate: number;
  /** Per attempt: the handler waits up to `slowMaxMs` (a slow downstream). */
  readonly slowRate: number;
  readonly slowMaxMs: number;
}

/** Environment variables the chaos handler reads. */
export const CHAOS_ENV = {
  plan: 'CHAOS_PLAN',
  ledgerDir: 'CHAOS_LEDGER_DIR',
  /** Where the handler appends its side effects (the side-effect ledger, see `effects.ts`). */
  effectsDir: 'CHAOS_EFFECTS_DIR',
  role: 'CHAOS_ROLE',
  /** `on`: the handler protects its effect with `idempotency` (DynamoDB store); anything else: off. */
  idempotency: 'CHAOS_IDEMPOTENCY',
} as const;

/**
 * How long the sluice worker's in-progress claims last (the worker has no Lambda deadline,
 * whose default would be 15 minutes): longer than its longest planned attempt (the slowest
 * downstream) plus slack, so a live claim never expires under a running attempt, and short
 * enough that a SIGKILLed worker's claims expire while their messages are still retried.
 */
export function workerInProgressExpiryMs(plan: FaultPlan): number {
  return plan.slowMaxMs + 5000;
}

/** 32-bit FNV-1a of a string, mixed with `seed`. */
function hash32(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // murmur3 finalizer: spreads close inputs over the whole range.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** A uniform number in [0, 1) determined by the seed and the key. */
export function uniform(seed: number, key: string): number {
  return hash32(seed, key) / 2 ** 32;
}

/**
 * A seeded PRNG (mulberry32) for sequences, e.g. which messages are published twice.
 *
 * @returns a function yielding uniform numbers in [0, 1).
 */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Whether a message is poison: every attempt throws a `PermanentError`. */
export function isPoison(plan: FaultPlan, id: string): boolean {
  return uniform(plan.seed, `poison:${id}`) < plan.permanentRate;
}

/**
 * The fault of one attempt of one message. The worker never gets `hang` or `exit` (it has
 * no function timeout and is killed from outside instead).
 */
export function faultFor(plan: FaultPlan, id: string, attempt: number, role: ChaosRole): Fault {
  if (isPoison(plan, id)) return 'permanent';
  const u = uniform(plan.seed, `${id}#${attempt}`);
  const steps: [Fault, number][] = [
    ['hang', role === 'lambda' ? plan.hangRate : 0],
    ['exit', role === 'lambda' ? plan.exitRate : 0],
    ['transient', plan.transientRate],
    ['slow', plan.slowRate],
  ];
  let edge = 0;
  for (const [fault, rate] of steps) {
    edge += rate;
    if (u < edge) return fault;
  }
  return 'ok';
}

/** How long a `slow` attempt waits, in milliseconds. */
export function slowMs(plan: FaultPlan, id: string, attempt: number): number {
  return Math.round(uniform(plan.seed, `slow:${id}#${attempt}`) * plan.slowMaxMs);
}

/**
 * Reads the plan from `CHAOS_PLAN`.
 *
 * @throws Error when it is missing or not a plan.
 */
export function planFromEnv(env: NodeJS.ProcessEnv): FaultPlan {
  const raw = env[CHAOS_ENV.plan];
  if (!raw) throw new Error(`${CHAOS_ENV.plan} is not set`);
  const parsed: unknown = JSON.parse(raw);
  const keys = ['seed', 'transientRate', 'permanentRate', 'hangRate', 'exitRate', 'slowRate', 'slowMaxMs'] as const;
  if (typeof parsed !== 'object' || parsed === null || keys.some((k) => typeof (parsed as Record<string, unknown>)[k] !== 'number')) {
    throw new Error(`${CHAOS_ENV.plan} is not a fault plan`);
  }
  return parsed as FaultPlan;
}
