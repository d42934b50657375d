/**
 * The side-effect ledger: what the chaos handler does once per message when it succeeds
 * (the "effect" idempotency protects, standing in for a payment or an email). One JSON
 * line per effect, `{ id, effectAt, attempt, messageId }`, appended by the handler after
 * the fault plan let the attempt succeed; one file per process and thread
 * (`<role>-<pid>-<thread>.jsonl`), like the processing ledger (`ledger.ts`), whose file of
 * the same name holds the same delivery's `A`/`P`/`C` lines. Distinct from the processing
 * ledger: that one records what the runtime made the handler do (attempts, outcomes,
 * idempotent hits), this one only the effects.
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChaosRole } from './plan.ts';

/** One effect, as read back. */
export interface EffectRow {
  readonly id: string;
  /** When the effect happened, epoch ms. */
  readonly effectAt: number;
  readonly attempt: number;
  readonly messageId: string;
  readonly role: ChaosRole;
  readonly pid: number;
  /** `<role>-<pid>-<thread>`: the writer, shared with its processing ledger file. */
  readonly writer: string;
}

/** The key of one delivery in one writer: what links an effect to its `C` (completed) ledger line. */
export function deliveryKey(writer: string, messageId: string, attempt: number): string {
  return `${writer}|${messageId}|${attempt}`;
}

/** Appends one effect line to the effects file of this process and thread. */
export function effectWriter(dir: string, role: ChaosRole, thread: number): (id: string, attempt: number, messageId: string) => void {
  const file = join(dir, `${role}-${process.pid}-${thread}.jsonl`);
  return (id, attempt, messageId) => appendFileSync(file, `${JSON.stringify({ id, effectAt: Date.now(), attempt, messageId })}\n`);
}

/** Every effect in a directory (a torn last line of a killed process is skipped). */
export function readEffects(dir: string): EffectRow[] {
  const rows: EffectRow[] = [];
  for (const name of readdirSync(dir)) {
    const m = /^(lambda|worker)-(\d+)-\d+\.jsonl$/.exec(name);
    if (!m) continue;
    const writer = name.slice(0, -'.jsonl'.length);
    for (const line of readFileSync(join(dir, name), 'utf8').split('\n')) {
      if (line === '') continue;
      let parsed: { id?: unknown; effectAt?: unknown; attempt?: unknown; messageId?: unknown };
      try {
        parsed = JSON.parse(line) as typeof parsed;
      } catch {
        continue;
      }
      if (typeof parsed.id !== 'string' || typeof parsed.messageId !== 'string') continue;
      rows.push({ id: parsed.id, effectAt: Number(parsed.effectAt), attempt: Number(parsed.attempt), messageId: parsed.messageId, role: m[1] as ChaosRole, pid: Number(m[2]), writer });
    }
  }
  return rows;
}
