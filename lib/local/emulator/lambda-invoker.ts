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
 * Why Workers: functions of one app have different environments, and a handler reads
 * `process.env` when its module loads; a Worker gives each its own `process.env` and
 * module graph without a process per function, and can be terminated when it hangs.
 * The host's own environment (AWS credentials included) never reaches a function.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { InvocationOutcome } from '../../sqs/index.ts';
import type { EnvironmentData, EnvironmentMessage, InvokeMessage } from './environment-messages.ts';
import { lambdaEnvironmentVariables, newLogStreamName } from './environment-variables.ts';
import { MAX_PAYLOAD_BYTES, payloadBytes } from './payload.ts';

/** Lambda's limit on the init phase of an on-demand execution environment. */
export const INIT_TIMEOUT_MS = 10_000;

/** What the invoker needs to know about a function. */
export interface InvokerFunction {
  /** Function name (`context.functionName`, `AWS_LAMBDA_FUNCTION_NAME`). */
  readonly name: string;
  readonly arn: string;
  /** Directory of the bundled asset (the task root). */
  readonly assetDir: string;
  /** `file.export`, e.g. `index.handler`, resolved as the Node.js runtime does. */
  readonly handler: string;
  /** The template's `Runtime`. @default 'nodejs24.x' */
  readonly runtime?: string | undefined;
  readonly timeoutSeconds: number;
  readonly memoryMiB: number;
  /** Resolved environment variables from the template. */
  readonly environment: Readonly<Record<string, string>>;
}

/** Options of {@link LambdaInvoker}. */
export interface LambdaInvokerOptions {
  readonly fn: InvokerFunction;
  readonly region: string;
  /** Local SNS/SQS endpoint: set as `AWS_ENDPOINT_URL` and `SLUICE_SQS_ENDPOINT` in the function. */
  readonly endpoint: string;
  /**
   * Execution environments at most (concurrent invocations).
   * @default 1
   */
  readonly maxEnvironments?: number;
  /** Receives each line the function writes to stdout/stderr. @default - lines are dropped */
  readonly onLog?: (line: string, stream: 'stdout' | 'stderr') => void;
  /**
   * Limit of the init phase, in milliseconds (tests shorten it).
   * @default {@link INIT_TIMEOUT_MS}
   */
  readonly initTimeoutMs?: number;
}

/** The result of one invocation. */
export interface InvocationResult {
  readonly outcome: InvocationOutcome;
  readonly requestId: string;
  /** Duration of the invocation itself (the init phase excluded, as Lambda reports it). */
  readonly durationMs: number;
  /** Whether this invocation started a new execution environment. */
  readonly coldStart: boolean;
  /** Duration of the init phase, on a cold start. */
  readonly initDurationMs?: number;
}

interface Environment {
  readonly worker: Worker;
  readonly logStreamName: string;
  /** Settles when the init phase ends: undefined when it succeeded, else the failed invocation's outcome. */
  readonly init: Promise<{ failure?: InvocationOutcome; durationMs: number }>;
  busy: boolean;
  dead: boolean;
}

const failed = (status: 'error' | 'timeout' | 'crashed', errorName: string, errorMessage: string): InvocationOutcome => ({ status, errorName, errorMessage });

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
  readonly #environments: Environment[] = [];
  readonly #waiting: (() => void)[] = [];
  #nextId = 0;
  #closed = false;
  #running = 0;
  #maxRunning = 0;

  constructor(options: LambdaInvokerOptions) {
    this.#options = options;
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
   * @throws Error when the invoker is closed.
   */
  async invoke(event: unknown): Promise<InvocationResult> {
    if (this.#closed) throw new Error(`Invoker of ${this.#options.fn.name} is closed.`);
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

  /** Terminates every execution environment; pending invocations end as `crashed`. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#environments.splice(0).map((e) => e.worker.terminate());
    for (const wake of this.#waiting.splice(0)) wake();
    await Promise.all(workers);
  }

  #run(env: Environment, event: unknown, requestId: string, started: number): Promise<InvocationOutcome> {
    const fn = this.#options.fn;
    const id = this.#nextId++;
    return new Promise<InvocationOutcome>((resolve) => {
      const finish = (o: InvocationOutcome): void => {
        clearTimeout(timer);
        env.worker.off('message', onMessage);
        env.worker.off('error', onError);
        env.worker.off('exit', onExit);
        resolve(o);
      };
      const onMessage = (reply: EnvironmentMessage): void => {
        if (reply.type !== 'result' || reply.id !== id) return;
        finish(oversized(reply.outcome) ?? reply.outcome);
      };
      const onError = (error: Error): void => { env.dead = true; finish(failed('crashed', error.name, error.message)); };
      const onExit = (code: number): void => { env.dead = true; finish(failed('crashed', 'Runtime.ExitError', `Runtime exited with code ${code}`)); };
      const timer = setTimeout(() => {
        env.dead = true;
        void env.worker.terminate();
        finish(failed('timeout', 'Sandbox.Timedout', `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`));
      }, fn.timeoutSeconds * 1000);
      env.worker.on('message', onMessage);
      env.worker.on('error', onError);
      env.worker.on('exit', onExit);
      const message: InvokeMessage = {
        type: 'invoke', id, event,
        context: {
          functionName: fn.name, functionVersion: '$LATEST', invokedFunctionArn: fn.arn, memoryLimitInMB: String(fn.memoryMiB),
          awsRequestId: requestId, logGroupName: `/aws/lambda/${fn.name}`, logStreamName: env.logStreamName,
          deadlineMs: started + fn.timeoutSeconds * 1000,
        },
      };
      env.worker.postMessage(message);
    });
  }

  async #acquire(): Promise<{ env: Environment; cold: boolean }> {
    for (;;) {
      const idle = this.#environments.find((e) => !e.busy && !e.dead);
      if (idle) {
        idle.busy = true;
        return { env: idle, cold: false };
      }
      if (this.#environments.length < (this.#options.maxEnvironments ?? 1)) {
        const env = this.#spawn();
        env.busy = true;
        return { env, cold: true };
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
      if (this.#closed) throw new Error(`Invoker of ${this.#options.fn.name} is closed.`);
    }
  }

  #release(env: Environment): void {
    env.busy = false;
    if (env.dead) this.#remove(env);
    this.#waiting.shift()?.();
  }

  #remove(env: Environment): void {
    const index = this.#environments.indexOf(env);
    if (index >= 0) this.#environments.splice(index, 1);
    void env.worker.terminate();
  }

  #spawn(): Environment {
    const { fn, region, endpoint, onLog } = this.#options;
    const logStreamName = newLogStreamName();
    const workerData: EnvironmentData = { taskRoot: fn.assetDir, handler: fn.handler, runtime: fn.runtime };
    const worker = new Worker(new URL('./lambda-environment-thread.ts', import.meta.url), {
      workerData,
      env: lambdaEnvironmentVariables(fn, region, endpoint, logStreamName),
      resourceLimits: { maxOldGenerationSizeMb: fn.memoryMiB },
      stdout: true,
      stderr: true,
      name: `lambda:${fn.name}`,
    });
    for (const stream of ['stdout', 'stderr'] as const) pipeLines(worker[stream], (line) => onLog?.(line, stream));
    const env: Environment = { worker, logStreamName, init: this.#initPhase(worker), busy: false, dead: false };
    const died = (): void => {
      env.dead = true;
      if (!env.busy) {
        this.#remove(env);
        this.#waiting.shift()?.();
      }
    };
    worker.on('error', died);
    worker.on('exit', died);
    this.#environments.push(env);
    return env;
  }

  /** Waits for the environment's init phase, at most the init limit (then terminates it). */
  #initPhase(worker: Worker): Promise<{ failure?: InvocationOutcome; durationMs: number }> {
    const limitMs = this.#options.initTimeoutMs ?? INIT_TIMEOUT_MS;
    const started = performance.now();
    return new Promise((resolve) => {
      const finish = (result: { failure?: InvocationOutcome; durationMs: number }): void => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        resolve(result);
      };
      const onMessage = (m: EnvironmentMessage): void => {
        if (m.type === 'init-done') finish({ durationMs: m.durationMs });
        else if (m.type === 'init-error') finish({ failure: failed('error', m.errorName, m.errorMessage), durationMs: m.durationMs });
      };
      const elapsed = (): number => performance.now() - started;
      const onError = (error: Error): void => finish({ failure: failed('crashed', error.name, `Init failed: ${error.message}`), durationMs: elapsed() });
      const onExit = (code: number): void => finish({ failure: failed('crashed', 'Runtime.ExitError', `Runtime exited during init with code ${code}`), durationMs: elapsed() });
      const timer = setTimeout(() => {
        void worker.terminate();
        finish({ failure: failed('timeout', 'Sandbox.Timedout', `Init phase timed out after ${(limitMs / 1000).toFixed(2)} seconds`), durationMs: elapsed() });
      }, limitMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
  }
}

/** A returned payload over the response limit fails the invocation, as in Lambda. */
function oversized(outcome: InvocationOutcome): InvocationOutcome | undefined {
  if (outcome.status !== 'returned' || outcome.payload === undefined) return undefined;
  const bytes = Buffer.byteLength(outcome.payload);
  if (bytes <= MAX_PAYLOAD_BYTES) return undefined;
  return failed('error', 'Function.ResponseSizeTooLarge', `Response payload size (${bytes} bytes) exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`);
}

function pipeLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      onLine(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      nl = buffered.indexOf('\n');
    }
  });
  stream.on('end', () => { if (buffered) onLine(buffered); });
}
