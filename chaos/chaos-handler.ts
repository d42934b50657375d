/**
 * The chaos handler: one Sluice `sqsHandler` bundled into the chaos app's functions (run
 * by the event source mapping emulator) and loaded by `sluice worker`. Each attempt gets
 * the fault the seeded plan gives its chaos id and attempt, and every attempt is written
 * to the ledger (see `ledger.ts`).
 *
 * The effect (see `effects.ts`) is written after the attempt's own fault: a throw, a hang
 * past the function timeout and `process.exit` all happen before it, so an attempt that
 * fails never has an effect; and only while the invocation still owns the record (past
 * the deadline margin the runtime has given it up, and its claim expires at the deadline).
 * What no handler can order away is a crash of the whole process or thread (a sibling
 * record's hang or exit, a SIGKILL of the worker) between an effect and the completion of
 * its key: the reconciliation counts those effects apart (README "Chaos run").
 *
 * With `CHAOS_IDEMPOTENCY=on` the effect is protected by `idempotency` with the DynamoDB
 * store (key: the chaos id, so a message published twice is one effect), and the guard's
 * hits, refusals and completions go to the ledger (`H`, `I`, `C`).
 *
 * Environment: `CHAOS_PLAN` (JSON fault plan), `CHAOS_LEDGER_DIR`, `CHAOS_EFFECTS_DIR`,
 * `CHAOS_ROLE` (`lambda` | `worker`), `CHAOS_IDEMPOTENCY`; `SLUICE_DLQ_URL` for poison;
 * with idempotency `SLUICE_IDEMPOTENCY_TABLE` and `AWS_ENDPOINT_URL_DYNAMODB`.
 */
import { threadId } from 'node:worker_threads';
import { dynamoDbStore } from '../lambda/idempotency/index.ts';
import { PermanentError, TransientError, retryPolicy, sqsHandler } from '../lambda/runtime/index.ts';
import type { MessageContext } from '../lambda/runtime/index.ts';
import { effectWriter } from './effects.ts';
import { ledgerWriter } from './ledger.ts';
import type { LedgerKind } from './ledger.ts';
import { observedStore } from './observed-store.ts';
import { CHAOS_ENV, faultFor, planFromEnv, slowMs, workerInProgressExpiryMs } from './plan.ts';
import type { ChaosRole } from './plan.ts';

const plan = planFromEnv(process.env);
const role: ChaosRole = process.env[CHAOS_ENV.role] === 'worker' ? 'worker' : 'lambda';
const ledgerDir = process.env[CHAOS_ENV.ledgerDir];
if (!ledgerDir) throw new Error(`${CHAOS_ENV.ledgerDir} is not set`);
const effectsDir = process.env[CHAOS_ENV.effectsDir];
if (!effectsDir) throw new Error(`${CHAOS_ENV.effectsDir} is not set`);
const write = ledgerWriter(ledgerDir, role, threadId);
const effect = effectWriter(effectsDir, role, threadId);

/** Blocks this thread (no event loop turns) for `ms`: a hang only terminating the thread ends. */
function blockThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function chaosIdOf(message: unknown): string {
  const id = typeof message === 'object' && message !== null ? (message as { id?: unknown }).id : undefined;
  if (typeof id !== 'string' || !/^c\d+$/.test(id)) throw new PermanentError('chaos: message without a chaos id');
  return id;
}

const guardLine = (kind: LedgerKind) => (message: unknown, ctx: MessageContext): void => write(kind, chaosIdOf(message), ctx.attempt, ctx.messageId, '-');

const idempotency = process.env[CHAOS_ENV.idempotency] === 'on'
  ? {
    idempotency: {
      store: observedStore(dynamoDbStore(), { hit: guardLine('H'), refused: guardLine('I'), completed: guardLine('C') }),
      key: (message: unknown) => chaosIdOf(message),
      // The worker has no deadline for a claim to expire at (see workerInProgressExpiryMs).
      ...(role === 'worker' ? { inProgressExpiryMs: workerInProgressExpiryMs(plan) } : {}),
    },
  }
  : {};

/** The Lambda handler (and, through its `sluice` property, the worker's). */
export const handler = sqsHandler({
  concurrency: 10,
  retry: retryPolicy({ deadLetter: 'auto', backoff: { baseSeconds: 1, maxSeconds: 2 } }),
  ...idempotency,
  async handle(message, ctx) {
    const id = chaosIdOf(message);
    const fault = faultFor(plan, id, ctx.attempt, role);
    write('A', id, ctx.attempt, ctx.messageId, fault);
    try {
      switch (fault) {
        case 'permanent': throw new PermanentError('chaos: poison message');
        case 'transient': throw new TransientError('chaos: downstream unavailable');
        case 'hang': blockThread((ctx.lambdaContext?.getRemainingTimeInMillis() ?? 0) + 10_000); break;
        case 'exit': process.exit(1); break;
        case 'slow': await new Promise((r) => setTimeout(r, slowMs(plan, id, ctx.attempt))); break;
        case 'ok': break;
      }
      // A slow downstream past the deadline margin: the runtime reported the record failed
      // (it is retried), so the effect is not started.
      if (ctx.signal.aborted) throw ctx.signal.reason;
    } catch (error) {
      write('F', id, ctx.attempt, ctx.messageId, fault);
      throw error;
    }
    effect(id, ctx.attempt, ctx.messageId);
    write('P', id, ctx.attempt, ctx.messageId, fault);
  },
});
