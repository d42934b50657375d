/**
 * The chaos ledger (the processing ledger): append-only files the handler writes one line
 * to when an attempt starts (`A`), when it processed the message (`P`) and when it failed
 * (`F`); with idempotency also what the guard did with a delivery: an idempotent hit
 * (`H`: the key had completed, `handle` not run), a refusal (`I`: another live claim), the
 * key completed after `handle` succeeded (`C`). One file per process and thread so lines
 * never interleave. The orchestrator tails the files. The effects are in their own ledger
 * (`effects.ts`).
 *
 * Line: `<kind> <chaos id> <attempt> <SQS message id> <fault>` (`-` for `H`, `I`, `C`).
 */
import { appendFileSync, closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ChaosRole, Fault } from './plan.ts';
import { FAULTS } from './plan.ts';
import { deliveryKey } from './effects.ts';

/** What a ledger line records. */
export type LedgerKind = 'A' | 'P' | 'F' | 'H' | 'I' | 'C';

/** Appends one line to the ledger file of this process and thread. */
export function ledgerWriter(dir: string, role: ChaosRole, thread: number): (kind: LedgerKind, id: string, attempt: number, messageId: string, fault: Fault | '-') => void {
  const file = join(dir, `${role}-${process.pid}-${thread}.log`);
  return (kind, id, attempt, messageId, fault) => appendFileSync(file, `${kind} ${id} ${attempt} ${messageId} ${fault}\n`);
}

/** Totals of one role read from the ledger so far. */
export interface RoleTotals {
  attempts: number;
  processed: number;
  failed: number;
  /** Attempts with `attempt > 1` (redeliveries). */
  redeliveries: number;
  faults: Record<Fault, number>;
  /** With idempotency: deliveries not run because their key had completed (`H`). */
  idempotentHits: number;
  /** With idempotency: deliveries refused because another live claim held the key (`I`). */
  inProgressRefusals: number;
  /** With idempotency: keys completed after `handle` succeeded (`C`). */
  completions: number;
}

function zeroTotals(): RoleTotals {
  return {
    attempts: 0, processed: 0, failed: 0, redeliveries: 0, faults: Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>,
    idempotentHits: 0, inProgressRefusals: 0, completions: 0,
  };
}

interface TailedFile {
  /** `<role>-<pid>-<thread>`, shared with the writer's effects file. */
  readonly writer: string;
  readonly role: ChaosRole;
  readonly pid: number;
  offset: number;
  rest: string;
  /** Attempts started and not yet ended in this file. */
  open: number;
}

/**
 * Reads every ledger file in a directory incrementally (each `poll()` reads only what
 * was appended since the last one).
 */
export class LedgerTail {
  /** Times each chaos id was processed. */
  readonly processed = new Map<string, number>();
  /** Idempotent hits of each chaos id. */
  readonly hits = new Map<string, number>();
  /** Deliveries whose key completed ({@link deliveryKey} of the writer, message id and attempt). */
  readonly completed = new Set<string>();
  readonly totals: Record<ChaosRole, RoleTotals> = { lambda: zeroTotals(), worker: zeroTotals() };
  readonly #dir: string;
  readonly #files = new Map<string, TailedFile>();

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Attempts started and not ended by the process `pid` (> 0: it is mid-batch). */
  openAttempts(pid: number): number {
    let n = 0;
    for (const f of this.#files.values()) if (f.pid === pid) n += f.open;
    return n;
  }

  /** Reads what was appended since the last call. */
  poll(): void {
    for (const name of readdirSync(this.#dir)) {
      const m = /^(lambda|worker)-(\d+)-\d+\.log$/.exec(name);
      if (!m) continue;
      let f = this.#files.get(name);
      if (!f) this.#files.set(name, f = { writer: name.slice(0, -'.log'.length), role: m[1] as ChaosRole, pid: Number(m[2]), offset: 0, rest: '', open: 0 });
      this.#read(join(this.#dir, name), f);
    }
  }

  #read(path: string, f: TailedFile): void {
    const size = statSync(path).size;
    if (size <= f.offset) return;
    const fd = openSync(path, 'r');
    try {
      const buffer = Buffer.allocUnsafe(size - f.offset);
      const n = readSync(fd, buffer, 0, buffer.length, f.offset);
      f.offset += n;
      const lines = (f.rest + buffer.toString('latin1', 0, n)).split('\n');
      f.rest = lines.pop() ?? '';
      for (const line of lines) this.#line(f, line);
    } finally {
      closeSync(fd);
    }
  }

  #line(f: TailedFile, line: string): void {
    const [kind, id, attempt, messageId, fault] = line.split(' ');
    if (id === undefined || messageId === undefined || fault === undefined) return;
    const t = this.totals[f.role];
    if (kind === 'A') {
      t.attempts += 1;
      f.open += 1;
      if (Number(attempt) > 1) t.redeliveries += 1;
      if (fault in t.faults) t.faults[fault as Fault] += 1;
    } else if (kind === 'P') {
      t.processed += 1;
      f.open -= 1;
      this.processed.set(id, (this.processed.get(id) ?? 0) + 1);
    } else if (kind === 'F') {
      t.failed += 1;
      f.open -= 1;
    } else if (kind === 'H') {
      t.idempotentHits += 1;
      this.hits.set(id, (this.hits.get(id) ?? 0) + 1);
    } else if (kind === 'I') {
      t.inProgressRefusals += 1;
    } else if (kind === 'C') {
      t.completions += 1;
      this.completed.add(deliveryKey(f.writer, messageId, Number(attempt)));
    }
  }
}
