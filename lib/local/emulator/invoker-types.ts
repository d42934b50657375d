/**
 * The types of the Lambda invoker (lambda-invoker.ts): the function it runs, its options
 * and the result of an invocation. Types only.
 */
import type { InvocationOutcome } from '../../sqs/index.ts';
import type { EnvironmentInspect } from './execution-environment.ts';

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

/** Options of `LambdaInvoker`. */
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
   * @default `INIT_TIMEOUT_MS` (10 s)
   */
  readonly initTimeoutMs?: number;
  /**
   * Open an inspector in each environment so a debugger can attach (`sluice dev
   * --inspect`): one environment at a time (`maxEnvironments` is ignored), whose init
   * limit and invocation timeout are not enforced (a paused debugger would trip them);
   * a replaced environment's successor opens the same port once the old one has exited.
   * @default - no inspector
   */
  readonly inspect?: EnvironmentInspect;
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
