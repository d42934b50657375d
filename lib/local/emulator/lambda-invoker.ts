/**
 * Runs a function's bundled asset locally like Lambda does: each execution environment
 * is a `node:worker_threads` Worker with its own `process.env` (the function's resolved
 * environment plus the variables Lambda sets), its heap capped at the function's memory,
 * one invocation at a time, kept warm between invocations.
 *
 * Lifecycle, as in Lambda: a new environment first runs its **init phase** (importing the
 * handler module, running its top-level code) under its own 10-second limit; the
 * invocation's timeout starts only when init is done. An environment whose init throws or
 * exceeds the limit is discarded: that invocation fails, and the next one starts a fresh
 * environment. An invocation that exceeds the function's timeout is cut off and its
 * environment discarded. Requests and responses over 6 MB fail, like Lambda's
 * synchronous payload limit.
 *
 * Hot reload (`sluice dev --watch`, {@link LambdaInvoker.reload}): environments of the
 * old code finish their invocation and are then retired; new invocations start fresh
 * environments on the new asset. With `inspect`, the one environment of the function
 * opens its own inspector (a Worker is an isolate with its own agent).
 *
 * Why Workers: functions of one app have different environments, and a handler reads
 * `process.env` when its module loads; a Worker gives each its own `process.env` and
 * module graph without a process per function, and can be terminated when it hangs.
 * The host's own environment (AWS credentials included) never reaches a function.
 */
import { randomUUID } from 'node:crypto';
import { SluiceError } from '../../../lambda/runtime/index.ts';
import type { InvocationOutcome } from '../../sqs/index.ts';
import type { InvokeMessage } from './environment-messages.ts';
import { lambdaEnvironmentVariables } from './environment-variables.ts';
import type { ExecutionEnvironment } from './execution-environment.ts';
import type { InvocationResult, InvokerFunction, LambdaInvokerOptions } from './invoker-types.ts';
import { failedOutcome as failed, runInvocation, spawnEnvironment } from './execution-environment.ts';
import { MAX_PAYLOAD_BYTES, payloadBytes } from './payload.ts';

export type { InvocationResult, InvokerFunction, LambdaInvokerOptions } from './invoker-types.ts';

/** Lambda's limit on the init phase of an on-demand execution environment. */
export const INIT_TIMEOUT_MS = 10_000;

/** `invoke()` was called on a closed invoker. */
export class InvokerClosedError extends SluiceError {
  override name = 'InvokerClosedError';
  constructor(functionName: string) {
    super('INVOKER_CLOSED', `Invoker of ${functionName} is closed.`);
  }
}

/**
 * The execution environments of one function.
 *
 * @example
 * const invoker = new LambdaInvoker({ fn, region, endpoint, maxEnvironments: 5 });
 * const { outcome } = await invoker.invoke({ Records: [] });
 * await invoker.close();
 */
export class LambdaInvoker {
  readonly #options: LambdaInvokerOptions;
  /** The code new environments run ({@link reload} replaces it). */
  #fn: InvokerFunction;
  readonly #environments: ExecutionEnvironment[] = [];
  /** The code each live environment runs; an environment whose code is not `#fn` is retired when it falls idle. */
  readonly #code = new Map<ExecutionEnvironment, InvokerFunction>();
  /** Environments terminated whose worker has not exited yet. */
  readonly #exiting = new Set<Promise<void>>();
  readonly #waiting: (() => void)[] = [];
  #nextId = 0;
  #closed = false;
  #running = 0;
  #maxRunning = 0;

  constructor(options: LambdaInvokerOptions) {
    this.#options = options;
    this.#fn = options.fn;
  }

  /** The environment variables a function sees (see {@link lambdaEnvironmentVariables}). */
  static environmentOf(fn: InvokerFunction, region: string, endpoint: string, logStreamName?: string): Record<string, string> {
    return lambdaEnvironmentVariables(fn, region, endpoint, logStreamName);
  }

  /** Most invocations that were in flight at once. */
  get maxConcurrentInvocations(): number { return this.#maxRunning; }

  /**
   * Invokes the function once with `event`; never rejects (failures are outcomes).
   *
   * @throws {InvokerClosedError} when the invoker is closed.
   */
  async invoke(event: unknown): Promise<InvocationResult> {
    if (this.#closed) throw new InvokerClosedError(this.#fn.name);
    const requestId = randomUUID();
    const requestBytes = payloadBytes(event);
    if (requestBytes > MAX_PAYLOAD_BYTES) {
      return { outcome: failed('error', 'RequestEntityTooLargeException', `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the Invoke operation (got ${requestBytes})`), requestId, durationMs: 0, coldStart: false };
    }
    const { env, cold } = await this.#acquire();
    this.#running += 1;
    this.#maxRunning = Math.max(this.#maxRunning, this.#running);
    try {
      const init = await env.init;
      if (init.failure) {
        env.dead = true;
        return { outcome: init.failure, requestId, durationMs: 0, coldStart: true, initDurationMs: init.durationMs };
      }
      const started = Date.now();
      const outcome = await this.#run(env, event, requestId, started);
      return { outcome, requestId, durationMs: Date.now() - started, coldStart: cold, ...(cold ? { initDurationMs: init.durationMs } : {}) };
    } finally {
      this.#running -= 1;
      this.#release(env);
    }
  }

  /**
   * Hot reload: new invocations run `fn` (a rebuilt asset, a changed configuration) in
   * fresh environments. Idle environments of the old code are closed at once; busy ones
   * finish their invocation on the old code and are closed when they return it, so an
   * in-flight batch is never cut off and its response is applied as usual.
   *
   * @returns resolves once every environment of the old code has exited.
   * @throws {InvokerClosedError} when the invoker is closed.
   */
  reload(fn: InvokerFunction): Promise<void> {
    if (this.#closed) throw new InvokerClosedError(this.#fn.name);
    this.#fn = fn;
    const old = [...this.#environments];
    for (const env of old) if (!env.busy) this.#remove(env);
    for (const wake of this.#waiting.splice(0)) wake();
    const retired = Promise.all(old.map((env) => env.exited)).then(() => undefined);
    if (this.#options.inspect) void retired.then(() => this.prewarm());
    return retired;
  }

  /**
   * Starts an environment now when none is alive, so its init runs (and, with `inspect`,
   * its inspector listens) before the first invocation arrives.
   */
  async prewarm(): Promise<void> {
    await Promise.all(this.#exiting);
    if (!this.#closed && this.#environments.length === 0) this.#spawn();
  }

  /** Terminates every execution environment; pending invocations end as `crashed`. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#environments.splice(0).map((e) => e.worker.terminate());
    for (const wake of this.#waiting.splice(0)) wake();
    await Promise.all([...workers, ...this.#exiting]);
  }

  #run(env: ExecutionEnvironment, event: unknown, requestId: string, started: number): Promise<InvocationOutcome> {
    const fn = this.#code.get(env) ?? this.#fn;
    const message: InvokeMessage = {
      type: 'invoke', id: this.#nextId++, event,
      context: {
        functionName: fn.name, functionVersion: '$LATEST', invokedFunctionArn: fn.arn, memoryLimitInMB: String(fn.memoryMiB),
        awsRequestId: requestId, logGroupName: `/aws/lambda/${fn.name}`, logStreamName: env.logStreamName,
        deadlineMs: started + fn.timeoutSeconds * 1000,
      },
    };
    const timeoutSeconds = this.#options.inspect ? Number.POSITIVE_INFINITY : fn.timeoutSeconds;
    return runInvocation(env, message, timeoutSeconds).then((outcome) => oversized(outcome) ?? outcome);
  }

  async #acquire(): Promise<{ env: ExecutionEnvironment; cold: boolean }> {
    for (;;) {
      const idle = this.#environments.find((e) => !e.busy && !e.dead && this.#code.get(e) === this.#fn);
      if (idle) {
        idle.busy = true;
        return { env: idle, cold: false };
      }
      const max = this.#options.inspect ? 1 : this.#options.maxEnvironments ?? 1;
      if (this.#environments.length < max) {
        // The inspector's port is free only once the environment that held it has exited.
        if (this.#options.inspect && this.#exiting.size > 0) {
          await Promise.all(this.#exiting);
          continue;
        }
        const env = this.#spawn();
        env.busy = true;
        return { env, cold: true };
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
      if (this.#closed) throw new InvokerClosedError(this.#fn.name);
    }
  }

  #release(env: ExecutionEnvironment): void {
    env.busy = false;
    if (env.dead || this.#code.get(env) !== this.#fn) this.#remove(env);
    this.#waiting.shift()?.();
  }

  #remove(env: ExecutionEnvironment): void {
    const index = this.#environments.indexOf(env);
    if (index < 0) return;
    this.#environments.splice(index, 1);
    this.#code.delete(env);
    this.#exiting.add(env.exited);
    void env.exited.then(() => this.#exiting.delete(env.exited));
    void env.worker.terminate();
  }

  #spawn(): ExecutionEnvironment {
    const { region, endpoint, onLog, inspect } = this.#options;
    const fn = this.#fn;
    const initTimeoutMs = inspect ? Number.POSITIVE_INFINITY : this.#options.initTimeoutMs ?? INIT_TIMEOUT_MS;
    const env = spawnEnvironment({ fn, region, endpoint, onLog, initTimeoutMs, inspect });
    const died = (): void => {
      env.dead = true;
      if (!env.busy) {
        this.#remove(env);
        this.#waiting.shift()?.();
      }
    };
    env.worker.on('error', died);
    env.worker.on('exit', died);
    this.#environments.push(env);
    this.#code.set(env, fn);
    return env;
  }
}

/** A returned payload over the response limit fails the invocation, as in Lambda. */
function oversized(outcome: InvocationOutcome): InvocationOutcome | undefined {
  if (outcome.status !== 'returned' || outcome.payload === undefined) return undefined;
  const bytes = Buffer.byteLength(outcome.payload);
  if (bytes <= MAX_PAYLOAD_BYTES) return undefined;
  return failed('error', 'Function.ResponseSizeTooLarge', `Response payload size (${bytes} bytes) exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`);
}
