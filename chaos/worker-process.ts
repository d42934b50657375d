/**
 * The `sluice worker` child process of a chaos run (the real CLI): started, killed with
 * SIGKILL, restarted, finally stopped with SIGTERM; its peak RSS sampled from `/proc`.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import type { WriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const BIN = fileURLToPath(new URL('../bin/sluice.ts', import.meta.url));

/** How to run the worker. */
export interface ChaosWorkerOptions {
  readonly queueUrl: string;
  readonly endpoint: string;
  readonly region: string;
  readonly handler: string;
  readonly concurrency: number;
  /** Extra environment (chaos plan, ledger, `SLUICE_DLQ_URL`, …). */
  readonly env: Record<string, string>;
  /** Where its stdout and stderr go. */
  readonly logFile: string;
}

/** Peak resident set size of a process so far (`VmHWM`), in KiB; 0 when unreadable. */
export function peakRssKiB(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** One worker at a time; `kill()` then `start()` restarts it. */
export class ChaosWorker {
  /** Processes started. */
  starts = 0;
  /** SIGKILLs sent. */
  kills = 0;
  /** Pids of the processes killed with SIGKILL. */
  readonly killedPids = new Set<number>();
  /** Largest peak RSS of any of its processes, in KiB. */
  peakRssKiB = 0;
  readonly #o: ChaosWorkerOptions;
  readonly #log: WriteStream;
  #child: ChildProcess | undefined;
  #exited: Promise<number | string> = Promise.resolve(0);
  readonly #sampler: NodeJS.Timeout;
  #stopped: Promise<number | string> | undefined;

  constructor(options: ChaosWorkerOptions) {
    this.#o = options;
    this.#log = createWriteStream(options.logFile, { flags: 'a' });
    this.#sampler = setInterval(() => this.#sample(), 250);
  }

  /** Pid of the running process, if any. */
  get pid(): number | undefined {
    return this.#child?.exitCode === null && this.#child.signalCode === null ? this.#child.pid : undefined;
  }

  /** Starts a worker process. */
  start(): void {
    const o = this.#o;
    const child = spawn(process.execPath, [
      BIN, 'worker', '--queue-url', o.queueUrl, '--endpoint', o.endpoint, '--handler', o.handler,
      '--wait-time-seconds', '1', '--max-pollers', '5', '--concurrency', String(o.concurrency), '--log-level', 'warn',
      '--drain-timeout-seconds', '30',
    ], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '',
        AWS_ACCESS_KEY_ID: 'sluice-local', AWS_SECRET_ACCESS_KEY: 'sluice-local', AWS_REGION: o.region, AWS_EC2_METADATA_DISABLED: 'true',
        ...o.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(this.#log, { end: false });
    child.stderr?.pipe(this.#log, { end: false });
    this.#exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
    this.#child = child;
    this.starts += 1;
  }

  /** Kills the worker with SIGKILL and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    this.#sample();
    child.kill('SIGKILL');
    this.kills += 1;
    if (child.pid !== undefined) this.killedPids.add(child.pid);
    await this.#exited;
  }

  /** Stops the worker with SIGTERM (it drains); resolves to its exit code or signal. */
  async stop(): Promise<number | string> {
    if (this.#stopped) return this.#stopped;
    this.#stopped = this.#stop();
    return this.#stopped;
  }

  async #stop(): Promise<number | string> {
    clearInterval(this.#sampler);
    this.#sample();
    this.#child?.kill('SIGTERM');
    const code = await this.#exited;
    this.#child = undefined;
    await new Promise<void>((resolve) => this.#log.end(resolve));
    return code;
  }

  #sample(): void {
    const pid = this.pid;
    if (pid !== undefined) this.peakRssKiB = Math.max(this.peakRssKiB, peakRssKiB(pid));
  }
}
