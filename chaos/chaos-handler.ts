/**
 * The chaos handler: one Sluice `sqsHandler` bundled into the chaos app's functions (run
 * by the event source mapping emulator) and loaded by `sluice worker`. Each attempt gets
 * the fault the seeded plan gives its chaos id and attempt, and every attempt is written
 * to the ledger (see `ledger.ts`).
 *
 * Environment: `CHAOS_PLAN` (JSON fault plan), `CHAOS_LEDGER_DIR`, `CHAOS_ROLE`
 * (`lambda` | `worker`); `SLUICE_DLQ_URL` for poison.
 */
import { threadId } from 'node:worker_threads';
import { PermanentError, TransientError, sqsHandler } from '../lambda/runtime/index.ts';
import { ledgerWriter } from './ledger.ts';
import { CHAOS_ENV, faultFor, planFromEnv, slowMs } from './plan.ts';
import type { ChaosRole } from './plan.ts';

const plan = planFromEnv(process.env);
const role: ChaosRole = process.env[CHAOS_ENV.role] === 'worker' ? 'worker' : 'lambda';
const ledgerDir = process.env[CHAOS_ENV.ledgerDir];
if (!ledgerDir) throw new Error(`${CHAOS_ENV.ledgerDir} is not set`);
const write = ledgerWriter(ledgerDir, role, threadId);

/** Blocks this thread (no event loop turns) for `ms`: a hang only terminating the thread ends. */
function blockThread(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function chaosIdOf(message: unknown): string {
  const id = typeof message === 'object' && message !== null ? (message as { id?: unknown }).id : undefined;
  if (typeof id !== 'string' || !/^c\d+$/.test(id)) throw new PermanentError('chaos: message without a chaos id');
  return id;
}

/** The Lambda handler (and, through its `sluice` property, the worker's). */
export const handler = sqsHandler({
  concurrency: 10,
  retry: { deadLetter: 'auto', backoff: { baseSeconds: 1, maxSeconds: 2 } },
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
    } catch (error) {
      write('F', id, ctx.attempt, ctx.messageId, fault);
      throw error;
    }
    write('P', id, ctx.attempt, ctx.messageId, fault);
  },
});
