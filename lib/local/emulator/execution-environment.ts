/**
 * One local execution environment: the Worker running lambda-environment-thread.ts, its
 * log lines, its init phase (bounded by the init limit) and its invocations (bounded by
 * the function timeout). The invoker (lambda-invoker.ts) pools these.
 */
import { Worker } from 'node:worker_threads';
import type { InvocationOutcome } from '../../sqs/index.ts';
import type { EnvironmentData, EnvironmentMessage, InvokeMessage } from './environment-messages.ts';
import type { EnvironmentFunction } from './environment-variables.ts';
import { lambdaEnvironmentVariables, newLogStreamName } from './environment-variables.ts';

/** How an init phase ended. */
export interface InitResult {
  /** The outcome of the invocation that waited for it, when init failed. */
  readonly failure?: InvocationOutcome;
  readonly durationMs: number;
}

/** A running environment and its state in the invoker's pool. */
export interface ExecutionEnvironment {
  readonly worker: Worker;
  readonly logStreamName: string;
  /** Settles when the init phase ends (never rejects). */
  readonly init: Promise<InitResult>;
  /** Settles when the worker has exited (its inspector port, if any, is free again). */
  readonly exited: Promise<void>;
  busy: boolean;
  dead: boolean;
}

/** The inspector of an environment (`sluice dev --inspect`). */
export interface EnvironmentInspect {
  /** Port of the inspector; 0 = any free port. */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Each environment's inspector `ws://` URL once it listens, or why it could not. */
  readonly onInspector?: (info: { readonly url: string } | { readonly error: string }) => void;
}

/** What an environment is started with. */
export interface SpawnOptions {
  readonly fn: EnvironmentFunction;
  readonly region: string;
  readonly endpoint: string;
  /** Limit of the init phase; `Infinity` = none. */
  readonly initTimeoutMs: number;
  readonly onLog?: ((line: string, stream: 'stdout' | 'stderr') => void) | undefined;
  readonly inspect?: EnvironmentInspect | undefined;
}

/** An outcome that is not a returned value. */
export function failedOutcome(status: 'error' | 'timeout' | 'crashed', errorName: string, errorMessage: string): InvocationOutcome {
  return { status, errorName, errorMessage };
}

/** Starts an environment; its init phase begins at once. */
export function spawnEnvironment(options: SpawnOptions): ExecutionEnvironment {
  const { fn, region, endpoint, onLog } = options;
  const logStreamName = newLogStreamName();
  const inspect = options.inspect;
  const workerData: EnvironmentData = {
    taskRoot: fn.assetDir, handler: fn.handler, runtime: fn.runtime,
    ...(inspect ? { inspect: { port: inspect.port, host: inspect.host ?? '127.0.0.1' } } : {}),
  };
  const worker = new Worker(new URL(`./lambda-environment-thread.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url), {
    workerData,
    env: lambdaEnvironmentVariables(fn, region, endpoint, logStreamName),
    resourceLimits: { maxOldGenerationSizeMb: fn.memoryMiB },
    stdout: true,
    stderr: true,
    name: `lambda:${fn.name}`,
  });
  for (const stream of ['stdout', 'stderr'] as const) pipeLines(worker[stream], (line) => onLog?.(line, stream));
  if (inspect?.onInspector) {
    const onInspector = inspect.onInspector;
    worker.on('message', (m: EnvironmentMessage) => { if (m.type === 'inspector') onInspector(m.url ? { url: m.url } : { error: m.error ?? 'unknown error' }); });
  }
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return { worker, logStreamName, init: initPhase(worker, options.initTimeoutMs), exited, busy: false, dead: false };
}

/**
 * Waits on a worker until `settle` maps one of its messages, its error or its exit to a
 * value, or `timeoutMs` passes (then `onTimeout` decides, and the worker is terminated);
 * a `timeoutMs` of `Infinity` never times out.
 */
function watch<T>(worker: Worker, timeoutMs: number, settle: {
  message(m: EnvironmentMessage): T | undefined;
  error(e: Error): T;
  exit(code: number): T;
  timeout(): T;
}): Promise<T> {
  return new Promise((resolve) => {
    const finish = (value: T): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      resolve(value);
    };
    const onMessage = (m: EnvironmentMessage): void => {
      const value = settle.message(m);
      if (value !== undefined) finish(value);
    };
    const onError = (e: Error): void => finish(settle.error(e));
    const onExit = (code: number): void => finish(settle.exit(code));
    const timer = Number.isFinite(timeoutMs) ? setTimeout(() => {
      void worker.terminate();
      finish(settle.timeout());
    }, timeoutMs) : undefined;
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

function initPhase(worker: Worker, limitMs: number): Promise<InitResult> {
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;
  return watch<InitResult>(worker, limitMs, {
    message: (m) => (m.type === 'init-done' ? { durationMs: m.durationMs }
      : m.type === 'init-error' ? { failure: failedOutcome('error', m.errorName, m.errorMessage), durationMs: m.durationMs } : undefined),
    error: (e) => ({ failure: failedOutcome('crashed', e.name, `Init failed: ${e.message}`), durationMs: elapsed() }),
    exit: (code) => ({ failure: failedOutcome('crashed', 'Runtime.ExitError', `Runtime exited during init with code ${code}`), durationMs: elapsed() }),
    timeout: () => ({ failure: failedOutcome('timeout', 'Sandbox.Timedout', `Init phase timed out after ${(limitMs / 1000).toFixed(2)} seconds`), durationMs: elapsed() }),
  });
}

/**
 * Runs one invocation in an initialised environment, cut off at `timeoutSeconds`
 * (`Infinity`: never); marks the environment dead when it crashed or timed out.
 */
export function runInvocation(env: ExecutionEnvironment, message: InvokeMessage, timeoutSeconds: number): Promise<InvocationOutcome> {
  const outcome = watch<InvocationOutcome>(env.worker, timeoutSeconds * 1000, {
    message: (m) => (m.type === 'result' && m.id === message.id ? m.outcome : undefined),
    error: (e) => { env.dead = true; return failedOutcome('crashed', e.name, e.message); },
    exit: (code) => { env.dead = true; return failedOutcome('crashed', 'Runtime.ExitError', `Runtime exited with code ${code}`); },
    timeout: () => { env.dead = true; return failedOutcome('timeout', 'Sandbox.Timedout', `Task timed out after ${timeoutSeconds.toFixed(2)} seconds`); },
  });
  env.worker.postMessage(message);
  return outcome;
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
