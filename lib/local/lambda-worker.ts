/**
 * Entry of one local Lambda execution environment (a `node:worker_threads` Worker with
 * its own `process.env`): imports the bundled handler once (the cold start), then runs
 * one invocation at a time and answers with the JSON of the returned value or the error.
 *
 * Runs inside the Worker only; imported by nothing.
 */
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { isLoopbackHost } from './loopback.ts';

/** Sent by the invoker for each invocation. */
interface InvokeMessage {
  id: number;
  event: unknown;
  context: {
    functionName: string;
    functionVersion: string;
    invokedFunctionArn: string;
    memoryLimitInMB: string;
    awsRequestId: string;
    logGroupName: string;
    logStreamName: string;
    deadlineMs: number;
  };
}

type Handler = (event: unknown, context: unknown) => unknown;

const data = workerData as { assetDir: string; handler: string };

function errorFields(thrown: unknown): { errorName: string; errorMessage: string } {
  if (thrown instanceof Error) return { errorName: thrown.name, errorMessage: thrown.message };
  return { errorName: 'Error', errorMessage: `Non-error value thrown: ${typeof thrown}` };
}

async function loadHandler(): Promise<Handler> {
  const dot = data.handler.lastIndexOf('.');
  const moduleName = data.handler.slice(0, dot);
  const exportName = data.handler.slice(dot + 1);
  const file = ['.mjs', '.js', '.cjs'].map((ext) => join(data.assetDir, moduleName + ext)).find((f) => existsSync(f));
  if (dot <= 0 || file === undefined) throw Object.assign(new Error(`Cannot find module '${moduleName}' in ${data.assetDir}`), { name: 'Runtime.ImportModuleError' });
  const mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const fn = mod[exportName] ?? (mod.default as Record<string, unknown> | undefined)?.[exportName];
  if (typeof fn !== 'function') throw Object.assign(new Error(`${data.handler} is undefined or not exported`), { name: 'Runtime.HandlerNotFound' });
  return fn as Handler;
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

guardFetch();
provideAwsSdk();
if (process.env.NODE_OPTIONS?.includes('--enable-source-maps')) process.setSourceMapsEnabled(true);
const handlerPromise = loadHandler();
handlerPromise.catch(() => undefined);

parentPort?.on('message', (message: InvokeMessage) => {
  void (async () => {
    const c = message.context;
    const context = {
      ...c,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: (): number => Math.max(0, c.deadlineMs - Date.now()),
      done: (): never => { throw new Error('context.done is not supported by the nodejs24.x runtime'); },
      fail: (): never => { throw new Error('context.fail is not supported by the nodejs24.x runtime'); },
      succeed: (): never => { throw new Error('context.succeed is not supported by the nodejs24.x runtime'); },
    };
    try {
      const handler = await handlerPromise;
      const value = await handler(message.event, context);
      // Lambda returns the JSON serialization of the value; a value that cannot be serialized fails the invocation.
      const payload = value === undefined ? undefined : JSON.stringify(value);
      parentPort?.postMessage({ id: message.id, status: 'returned', payload });
    } catch (thrown) {
      parentPort?.postMessage({ id: message.id, status: 'error', ...errorFields(thrown) });
    }
  })();
});
