/**
 * Runs a function's bundled asset locally like Lambda does: each execution environment
 * is a `node:worker_threads` Worker with its own `process.env` (the function's resolved
 * environment plus the variables Lambda sets), its heap capped at the function's memory,
 * one invocation at a time, kept warm between invocations, and terminated when an
 * invocation exceeds the function's timeout.
 *
 * Why Workers: functions of one app have different environments, and a handler reads
 * `process.env` when its module loads; a Worker gives each its own `process.env` and
 * module graph without a process per function, and can be terminated when it hangs.
 * The host's own environment (AWS credentials included) never reaches a function.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { InvocationOutcome } from './batch-response.ts';
import { LOCAL_CREDENTIALS } from './embedded-server.ts';
import { SLUICE_ENV } from '../../lambda/runtime/contract.ts';

/** What the invoker needs to know about a function. */
export interface InvokerFunction {
  /** Function name (`context.functionName`, `AWS_LAMBDA_FUNCTION_NAME`). */
  readonly name: string;
  readonly arn: string;
  /** Directory of the bundled asset. */
  readonly assetDir: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
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
}

/** The result of one invocation. */
export interface InvocationResult {
  readonly outcome: InvocationOutcome;
  readonly requestId: string;
  readonly durationMs: number;
  /** Whether this invocation started a new execution environment. */
  readonly coldStart: boolean;
}

interface Environment {
  readonly worker: Worker;
  busy: boolean;
  dead: boolean;
}

type Reply = { id: number } & InvocationOutcome;

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

  constructor(options: LambdaInvokerOptions) {
    this.#options = options;
  }

  /** The environment variables a function sees: its own, then the ones Lambda reserves. */
  static environmentOf(fn: InvokerFunction, region: string, endpoint: string): Record<string, string> {
    return {
      ...fn.environment,
      AWS_REGION: region,
      AWS_DEFAULT_REGION: region,
      AWS_LAMBDA_FUNCTION_NAME: fn.name,
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMiB),
      AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL: endpoint,
      [SLUICE_ENV.SQS_ENDPOINT]: endpoint,
      LAMBDA_TASK_ROOT: fn.assetDir,
      TZ: ':UTC',
    };
  }

  /**
   * Invokes the function once with `event`; never rejects (failures are outcomes).
   *
   * @throws Error when the invoker is closed.
   */
  async invoke(event: unknown): Promise<InvocationResult> {
    if (this.#closed) throw new Error(`Invoker of ${this.#options.fn.name} is closed.`);
    const { env, cold } = await this.#acquire();
    const fn = this.#options.fn;
    const requestId = randomUUID();
    const started = Date.now();
    const deadlineMs = started + fn.timeoutSeconds * 1000;
    const id = this.#nextId++;
    const outcome = await new Promise<InvocationOutcome>((resolve) => {
      const finish = (o: InvocationOutcome): void => {
        clearTimeout(timer);
        env.worker.off('message', onMessage);
        env.worker.off('error', onError);
        env.worker.off('exit', onExit);
        resolve(o);
      };
      const onMessage = (reply: Reply): void => {
        if (reply.id !== id) return;
        const { id: _id, ...o } = reply;
        finish(o);
      };
      const onError = (error: Error): void => { env.dead = true; finish({ status: 'crashed', errorName: error.name, errorMessage: error.message }); };
      const onExit = (code: number): void => { env.dead = true; finish({ status: 'crashed', errorName: 'Runtime.ExitError', errorMessage: `Runtime exited with code ${code}` }); };
      const timer = setTimeout(() => {
        env.dead = true;
        void env.worker.terminate();
        finish({ status: 'timeout', errorName: 'Sandbox.Timedout', errorMessage: `Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds` });
      }, fn.timeoutSeconds * 1000);
      env.worker.on('message', onMessage);
      env.worker.on('error', onError);
      env.worker.on('exit', onExit);
      env.worker.postMessage({
        id, event,
        context: {
          functionName: fn.name, functionVersion: '$LATEST', invokedFunctionArn: fn.arn, memoryLimitInMB: String(fn.memoryMiB),
          awsRequestId: requestId, logGroupName: `/aws/lambda/${fn.name}`, logStreamName: `local/[$LATEST]${env.worker.threadId}`, deadlineMs,
        },
      });
    });
    this.#release(env);
    return { outcome, requestId, durationMs: Date.now() - started, coldStart: cold };
  }

  /** Terminates every execution environment; pending invocations end as `crashed`. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#environments.splice(0).map((e) => e.worker.terminate());
    for (const wake of this.#waiting.splice(0)) wake();
    await Promise.all(workers);
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
    const worker = new Worker(new URL('./lambda-worker.ts', import.meta.url), {
      workerData: { assetDir: fn.assetDir, handler: fn.handler },
      env: LambdaInvoker.environmentOf(fn, region, endpoint),
      resourceLimits: { maxOldGenerationSizeMb: fn.memoryMiB },
      stdout: true,
      stderr: true,
      name: `lambda:${fn.name}`,
    });
    for (const stream of ['stdout', 'stderr'] as const) pipeLines(worker[stream], (line) => onLog?.(line, stream));
    const env: Environment = { worker, busy: false, dead: false };
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
