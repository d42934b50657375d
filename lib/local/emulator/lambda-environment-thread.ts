/**
 * Entry of one local Lambda execution environment (a `node:worker_threads` Worker with
 * its own `process.env`): runs the init phase (imports the bundled handler, running its
 * top-level code) and reports how it went, then runs one invocation at a time and
 * answers with the JSON of the returned value or the error (see environment-messages.ts).
 *
 * Before every answer, stdout and stderr are flushed to the invoker, so every line the
 * function wrote before returning reaches the invoker before the result does, and
 * survives the environment being closed right after.
 *
 * Runs inside the Worker only; imported by nothing.
 */
import inspector from 'node:inspector';
import { registerHooks } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { isLoopbackHost } from '../../sqs/loopback.ts';
import { serializeResponse } from '../../sqs/partial-response.ts';
import type { EnvironmentData, EnvironmentMessage, InvokeMessage } from './environment-messages.ts';
import { RuntimeInitError, loadHandler } from './handler-loader.ts';
import type { LoadedHandler } from './handler-loader.ts';
import { createLambdaContext } from './lambda-context.ts';

const data = workerData as EnvironmentData;

function errorFields(thrown: unknown): { errorName: string; errorMessage: string } {
  if (thrown instanceof RuntimeInitError) return { errorName: thrown.errorType, errorMessage: thrown.message };
  if (thrown instanceof Error) return { errorName: thrown.name, errorMessage: thrown.message };
  return { errorName: 'Error', errorMessage: `Non-error value thrown: ${typeof thrown}` };
}

/**
 * Resolves once everything written to `stream` so far has been handed to the invoker's
 * side: a Worker's stdio stream calls a write's callback when the parent has taken the
 * data, and writes are delivered in order.
 */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => { stream.write('', () => resolve()); });
}

async function answer(message: EnvironmentMessage): Promise<void> {
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  parentPort?.postMessage(message);
}

/**
 * Keeps handler HTTP calls on this machine: `fetch` to anything but a loopback address
 * fails like a network error. (AWS SDK clients are pointed at the embedded server through
 * `AWS_ENDPOINT_URL`.)
 */
function guardFetch(): void {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!isLoopbackHost(url.hostname)) {
      return Promise.reject(new TypeError(`fetch failed: the local runtime only reaches loopback addresses (refused ${url.host})`));
    }
    return realFetch(input, init);
  };
}

/**
 * Lambda's Node.js runtimes provide the AWS SDK v3 (`@aws-sdk/*`), so bundles mark it
 * external. Locally a bundle in the cloud assembly cannot resolve it from its own
 * directory; resolve it from Sluice's own dependencies instead, as the runtime would.
 */
function provideAwsSdk(): void {
  registerHooks({
    resolve(specifier, context, nextResolve) {
      try {
        return nextResolve(specifier, context);
      } catch (error) {
        if (!specifier.startsWith('@aws-sdk/')) throw error;
        return nextResolve(specifier, { ...context, parentURL: import.meta.url });
      }
    },
  });
}

/**
 * Lambda runs the function with the task root as its working directory. A Worker cannot
 * `process.chdir()`, so only what asks `process.cwd()` sees the task root (`process.cwd()`
 * itself, `path.resolve` of relative paths); `fs` calls with relative paths still resolve
 * against the host process's directory (README, local runtime).
 */
function taskRootAsCwd(): void {
  process.cwd = (): string => data.taskRoot;
}

/**
 * `sluice dev --inspect`: opens this thread's own inspector (each Worker is an isolate
 * with its own agent; `inspector.open()` works inside a Worker), before the handler is
 * imported, without waiting for a debugger. `open()` does not throw when the port is
 * taken: it leaves `url()` undefined.
 */
function openInspector(): void {
  if (data.inspect === undefined) return;
  const { port, host } = data.inspect;
  let url: string | undefined;
  let error: string | undefined;
  try {
    inspector.open(port, host, false);
    url = inspector.url();
  } catch (thrown) {
    error = thrown instanceof Error ? thrown.message : String(thrown);
  }
  parentPort?.postMessage(url ? { type: 'inspector', url } : { type: 'inspector', error: error ?? `cannot listen on ${host}:${port} (address in use?)` });
}

openInspector();
guardFetch();
provideAwsSdk();
taskRootAsCwd();
if (process.env.NODE_OPTIONS?.includes('--enable-source-maps')) process.setSourceMapsEnabled(true);

let handler: LoadedHandler | undefined;
const initStarted = performance.now();
try {
  handler = await loadHandler(data.taskRoot, data.handler, data.runtime);
  await answer({ type: 'init-done', durationMs: performance.now() - initStarted });
} catch (thrown) {
  const fields = errorFields(thrown);
  process.stderr.write(`${new Date().toISOString()}\tundefined\tERROR\tInit Error \t${JSON.stringify({ errorType: fields.errorName, errorMessage: fields.errorMessage })}\n`);
  await answer({ type: 'init-error', ...fields, durationMs: performance.now() - initStarted });
}

parentPort?.on('message', (message: InvokeMessage) => {
  void (async () => {
    const context = createLambdaContext(message.context);
    let outcome;
    try {
      if (handler === undefined) throw new RuntimeInitError('Runtime.InitError', 'the environment failed its init phase');
      const value = await handler(message.event, context);
      // Lambda returns the JSON serialization of the value; a value that cannot be serialized fails the invocation.
      outcome = serializeResponse(value);
    } catch (thrown) {
      outcome = { status: 'error' as const, ...errorFields(thrown) };
    }
    await answer({ type: 'result', id: message.id, outcome });
  })();
});
