/**
 * `sluice invoke <function> --event <file>`: runs one function's bundled asset once on
 * an event, with the same environment, context and timeout as under `sluice dev`.
 */
import { SluiceError } from '../../lambda/runtime/index.ts';
import type { InvocationOutcome } from '../sqs/index.ts';
import { startEmbeddedDynamoDb } from './embedded-dynamodb.ts';
import type { EmbeddedDynamoDb } from './embedded-dynamodb.ts';
import { startEmbeddedServer } from './embedded-server.ts';
import { LambdaInvoker } from './emulator/index.ts';
import { displayNameOf, normalizeName } from './local-app.ts';
import type { FunctionModel } from './model/index.ts';
import { provisionApp } from './provision.ts';
import type { AppBuilder } from './model/index.ts';
import { synthesizeApp, synthesizeCdkApp } from './model/index.ts';
import { readAppModel } from './model/index.ts';

/** Options of {@link invokeFunction}. */
export interface InvokeOptions {
  /** Display name (`RegisterUser`, `register-user`), construct path, function name or logical id. */
  readonly functionName: string;
  /** The event passed to the handler (e.g. from `sluice event sqs`). */
  readonly event: unknown;
  /** Receives each line the function writes. @default - lines are collected in `logs` only */
  readonly onLog?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Directory of the CDK app (holding its `cdk.json`). @default process.cwd() */
  readonly appDir?: string;
  /** Context over the app's own, as `cdk synth -c key=value` gives. @default {} */
  readonly context?: Record<string, unknown>;
  /** Build the app in this process instead of running the `cdk.json` app. @default - the `cdk.json` app */
  readonly build?: AppBuilder;
}

/** The result of {@link invokeFunction}. */
export interface InvokeResult {
  /** The function's display name. */
  readonly functionName: string;
  /** `returned` (with the JSON payload), `error`, `timeout` or `crashed`. */
  readonly outcome: InvocationOutcome;
  /** The returned value parsed from JSON; undefined unless the function returned a value. */
  readonly response: unknown;
  readonly durationMs: number;
  readonly requestId: string;
  /** Every line the function wrote, in order. */
  readonly logs: readonly string[];
}

/** No function of the app answers to the given name. */
export class UnknownFunctionError extends SluiceError {
  constructor(message: string) {
    super('UNKNOWN_FUNCTION', message);
    this.name = 'UnknownFunctionError';
  }
}

/** Finds a function by a forgiving name; the error lists the available names. */
export function findFunction(functions: readonly FunctionModel[], wanted: string): FunctionModel {
  const key = normalizeName(wanted);
  const found = functions.find((f) => [displayNameOf(f), f.path, f.name, f.logicalId].some((n) => normalizeName(n) === key));
  if (found) return found;
  throw new UnknownFunctionError(`No function '${wanted}' in the app; available: ${functions.map(displayNameOf).join(', ') || 'none'}.`);
}

/**
 * Synthesizes the app, provisions it on a fresh embedded server (so queue URLs in the
 * environment are live; DynamoDB tables in an embedded DynamoDB), and invokes one function once.
 *
 * @throws {UnknownFunctionError} when no function matches `functionName` (the message lists the names) or synthesis fails.
 * @example
 * const { response } = await invokeFunction({ functionName: 'register-user', event: JSON.parse(readFileSync('event.json', 'utf8')) });
 */
export async function invokeFunction(options: InvokeOptions): Promise<InvokeResult> {
  const context = options.context ? { context: options.context } : {};
  const synth = options.build
    ? synthesizeApp({ build: options.build, ...context })
    : await synthesizeCdkApp({ dir: options.appDir ?? process.cwd(), ...context });
  const server = await startEmbeddedServer().catch((error: unknown) => { synth.cleanup(); throw error; });
  let invoker: LambdaInvoker | undefined;
  let dynamoDb: EmbeddedDynamoDb | undefined;
  try {
    const model = readAppModel(synth.assemblyDir);
    if ((model.tables ?? []).length > 0) dynamoDb = await startEmbeddedDynamoDb({ region: server.region });
    const app = await provisionApp(model, server, dynamoDb ? { dynamoDb } : {});
    const fn = findFunction(app.model.functions, options.functionName);
    const logs: string[] = [];
    invoker = new LambdaInvoker({
      fn: { ...fn, arn: app.functionArn(fn), environment: app.functionEnvironment(fn) },
      region: app.region,
      endpoint: app.endpoint,
      onLog: (line, stream) => { logs.push(line); options.onLog?.(line, stream); },
    });
    const result = await invoker.invoke(options.event);
    // Let the last lines the function wrote arrive before reporting.
    await new Promise((r) => setImmediate(r));
    const response = result.outcome.status === 'returned' && result.outcome.payload !== undefined ? JSON.parse(result.outcome.payload) as unknown : undefined;
    return { functionName: displayNameOf(fn), outcome: result.outcome, response, durationMs: result.durationMs, requestId: result.requestId, logs };
  } finally {
    await invoker?.close();
    await dynamoDb?.stop();
    await server.stop();
    synth.cleanup();
  }
}
