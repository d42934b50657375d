/**
 * The messages between the invoker and an execution environment thread. Types only.
 *
 * Lifecycle: the thread starts with {@link EnvironmentData}, runs the init phase (imports
 * the handler) and answers `init-done` or `init-error`; only then does the invoker send
 * `invoke` messages, one at a time, each answered by a `result`. Every answer is posted
 * after the thread's stdout and stderr are flushed to the invoker. With `inspect`, the
 * thread first opens its inspector and posts `inspector` (before init).
 */
import type { InvocationOutcome } from '../../sqs/index.ts';
import type { InvokeContextFields } from './lambda-context.ts';

/** `workerData` of an environment thread. */
export interface EnvironmentData {
  /** The asset directory (`LAMBDA_TASK_ROOT`). */
  readonly taskRoot: string;
  /** The function's `Handler`. */
  readonly handler: string;
  /** The function's `Runtime`, when the template names one. */
  readonly runtime?: string | undefined;
  /** Open this thread's inspector (`node:inspector` `open()`, per isolate) before init. */
  readonly inspect?: { readonly port: number; readonly host: string } | undefined;
}

/** Invoker → environment: run one invocation. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly id: number;
  readonly event: unknown;
  readonly context: InvokeContextFields;
}

/** Environment → invoker. */
export type EnvironmentMessage =
  | { readonly type: 'init-done'; readonly durationMs: number }
  | { readonly type: 'init-error'; readonly errorName: string; readonly errorMessage: string; readonly durationMs: number }
  | { readonly type: 'result'; readonly id: number; readonly outcome: InvocationOutcome }
  /** The inspector's `ws://` URL, or why it could not open (e.g. the port is taken). */
  | { readonly type: 'inspector'; readonly url?: string; readonly error?: string };
