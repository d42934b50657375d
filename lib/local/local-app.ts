/**
 * Runs a provisioned app's functions locally: one {@link LambdaInvoker} per function and
 * one {@link EsmEmulator} per SQS event source mapping.
 */
import type { FunctionModel } from './model/index.ts';
import { keyOf } from './model/index.ts';
import { DEFAULT_LOCAL_CONCURRENCY, EsmEmulator } from './emulator/index.ts';
import { LambdaInvoker } from './emulator/index.ts';
import type { InvokerFunction } from './emulator/index.ts';
import { LocalRuntimeError } from './errors.ts';
import type { LocalQueue, ProvisionedApp } from './provision.ts';

/** A function with its execution environments and the mappings that invoke it. */
export interface RunningFunction {
  readonly model: FunctionModel;
  /** Short name for people: the construct path without a trailing `Function`/`Handler` (e.g. `RegisterUser`). */
  readonly displayName: string;
  readonly invoker: LambdaInvoker;
  readonly emulators: readonly EsmEmulator[];
  /** The source queue of each emulator, same order. */
  readonly queues: readonly LocalQueue[];
}

/** Options of {@link startLocalFunctions}. */
export interface LocalFunctionsOptions {
  /**
   * Most batches in flight per mapping without `maxConcurrency` (each mapping starts with
   * 5 and scales up while messages remain; the function's reserved concurrency caps both).
   * @default {@link DEFAULT_LOCAL_CONCURRENCY}
   */
  readonly defaultConcurrency?: number;
  /** Each line a function writes. @default - dropped */
  readonly onLog?: (fn: string, line: string, stream: 'stdout' | 'stderr') => void;
  /** `WaitTimeSeconds` of the emulators' receives. @default 1 */
  readonly waitTimeSeconds?: number;
  /** Create the emulators without starting them. @default false */
  readonly paused?: boolean;
  /**
   * Run one function so a debugger can attach: one execution environment with its
   * inspector open on `port` (see `LambdaInvokerOptions.inspect`), one batch in flight per
   * mapping, started at once so its URL is known before traffic arrives.
   * @default - no inspector
   */
  readonly inspect?: LocalInspectOptions;
}

/** Options of `--inspect`. */
export interface LocalInspectOptions {
  /** The function: its display name, construct path or physical name (forgiving case and punctuation). @default - the app's only function */
  readonly function?: string;
  /** Inspector port; 0 = any free port. */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Each time an environment of the function opens its inspector (its `ws://` URL) or cannot. */
  readonly onInspector?: (fn: string, info: { readonly url: string } | { readonly error: string }) => void;
}

/** The app's functions running locally. */
export interface LocalFunctions {
  readonly functions: readonly RunningFunction[];
  /** Starts every emulator (when created paused). */
  start(): void;
  /** Stops the emulators (in-flight batches finish, at most `timeoutMs`), then the execution environments. */
  stop(timeoutMs?: number): Promise<boolean>;
}

/** Display name of a function: its construct path without a trailing `Function`/`Handler` segment. */
export function displayNameOf(fn: FunctionModel): string {
  const parts = fn.path.split('/');
  if (parts.length > 1 && /^(Function|Handler|Resource)$/.test(parts.at(-1) ?? '')) parts.pop();
  return parts.join('/');
}

/** Lower-case letters and digits only, for forgiving name matching (`register-user` = `RegisterUser`). */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** What the invoker runs for a function of the app: the model with its local ARN and resolved environment. */
export function invokerFunctionOf(app: ProvisionedApp, fn: FunctionModel): InvokerFunction {
  return { ...fn, arn: app.functionArn(fn), environment: app.functionEnvironment(fn) };
}

/** The function `--inspect` names (or the only one). @throws {LocalRuntimeError} when none or several match. */
function inspectedFunction(functions: readonly FunctionModel[], name: string | undefined): FunctionModel {
  const names = functions.map((f) => displayNameOf(f)).join(', ') || 'none';
  if (name === undefined) {
    if (functions.length === 1) return functions[0]!;
    throw new LocalRuntimeError(`--inspect needs --function <name> when the app has several functions; received none; allowed: ${names}`);
  }
  const wanted = normalizeName(name);
  const found = functions.filter((f) => [displayNameOf(f), f.path, f.name].some((n) => normalizeName(n) === wanted));
  if (found.length !== 1) throw new LocalRuntimeError(`--function: received '${name}'; allowed: ${names}`);
  return found[0]!;
}

/**
 * Creates an invoker per function and an emulator per enabled mapping, and starts them.
 *
 * @throws {LocalRuntimeError} when `inspect.function` names no function of the app (or several match).
 */
export function startLocalFunctions(app: ProvisionedApp, options: LocalFunctionsOptions = {}): LocalFunctions {
  const server = { endpoint: app.endpoint, region: app.region };
  const inspected = options.inspect ? inspectedFunction(app.model.functions, options.inspect.function) : undefined;
  const functions: RunningFunction[] = app.model.functions.map((fn) => {
    // Reserved concurrency 0 means the function never runs: its mappings get no emulator.
    const reserved = fn.reservedConcurrency ?? Number.POSITIVE_INFINITY;
    const mappings = app.model.eventSourceMappings.filter((m) => m.enabled && keyOf(m.function) === keyOf(fn) && reserved > 0);
    const inspect = fn === inspected ? options.inspect : undefined;
    // An inspected function runs one environment: one batch in flight per mapping.
    const concurrency = mappings.map((m) => (inspect ? 1 : Math.min(m.maxConcurrency ?? options.defaultConcurrency ?? DEFAULT_LOCAL_CONCURRENCY, reserved)));
    const displayName = displayNameOf(fn);
    const invoker = new LambdaInvoker({
      fn: invokerFunctionOf(app, fn),
      region: app.region,
      endpoint: app.endpoint,
      maxEnvironments: Math.max(1, Math.min(reserved, concurrency.reduce((a, b) => a + b, 0))),
      ...(options.onLog ? { onLog: (line: string, stream: 'stdout' | 'stderr') => options.onLog?.(displayName, line, stream) } : {}),
      ...(inspect ? { inspect: { port: inspect.port, ...(inspect.host ? { host: inspect.host } : {}), onInspector: (info) => inspect.onInspector?.(displayName, info) } } : {}),
    });
    if (inspect) void invoker.prewarm();
    const queues = mappings.map((m) => app.queue(m.queue));
    const emulators = mappings.map((m, i) => new EsmEmulator({
      name: displayName,
      server,
      queueUrl: queues[i]!.url,
      queueArn: queues[i]!.arn,
      batchSize: m.batchSize,
      maxBatchingWindowSeconds: m.maxBatchingWindowSeconds,
      concurrency: concurrency[i]!,
      reportBatchItemFailures: m.reportBatchItemFailures,
      filterPatterns: m.filterPatterns,
      waitTimeSeconds: options.waitTimeSeconds ?? 1,
      invoke: (event) => invoker.invoke(event),
    }));
    return { model: fn, displayName, invoker, emulators, queues };
  });
  const all = functions.flatMap((f) => f.emulators);
  const start = (): void => { for (const e of all) e.start(); };
  if (!options.paused) start();
  return {
    functions,
    start,
    async stop(timeoutMs = 30_000) {
      const settled = await Promise.all(all.map((e) => e.stop(timeoutMs)));
      await Promise.all(functions.map((f) => f.invoker.close()));
      return settled.every(Boolean);
    },
  };
}
