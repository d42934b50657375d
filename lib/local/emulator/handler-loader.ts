/**
 * Loads a function's handler from its task root the way Lambda's Node.js 24 runtime does
 * (aws-lambda-nodejs-runtime-interface-client v4: `utils/handler-path.ts`,
 * `function/module-loader.ts`, `function/handler-resolver.ts`,
 * `function/callback-deprecation.ts`):
 *
 * - `_HANDLER` is `[dir/]module.export[.nested…]`: the module is the last path segment up
 *   to its **first** dot, the rest is a dotted path into the module's exports (then into
 *   its `default` export); a handler containing `..` is malformed.
 * - The module file is tried as is, then with `.js`, `.mjs`, `.cjs`; failing those, it is
 *   resolved like `require` from the task root (a package in `node_modules`).
 * - A handler declaring three or more parameters is a callback-style handler, which the
 *   Node.js 24 runtime rejects at init (`Runtime.CallbackHandlerDeprecated`).
 *
 * Imports only Node built-ins and the error base class: the environment thread loads it.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
// Direct import of one file of another room: the environment thread must stay light
// (lambda/runtime/index.ts loads middy); errors.ts imports nothing.
import { SluiceError } from '../../../lambda/runtime/errors.ts';

/** A handler as the Node.js 24 runtime calls it. */
export type LoadedHandler = (event: unknown, context: unknown) => unknown;

/**
 * The function's code failed to initialise. `errorType` is the type Lambda reports
 * (`Runtime.ImportModuleError`, `Runtime.HandlerNotFound`, `Runtime.MalformedHandlerName`,
 * `Runtime.UserCodeSyntaxError`, `Runtime.CallbackHandlerDeprecated`).
 */
export class RuntimeInitError extends SluiceError {
  override name = 'RuntimeInitError';
  /** Lambda's `errorType` for this failure. */
  readonly errorType: string;

  constructor(errorType: string, message: string, options?: ErrorOptions) {
    super('RUNTIME_INIT', message, options);
    this.errorType = errorType;
  }
}

/** The parts of a handler string. */
export interface ParsedHandler {
  /** Directory below the task root (`''` for `index.handler`). */
  readonly moduleRoot: string;
  /** File name without extension, up to the first dot. */
  readonly moduleName: string;
  /** Dotted export path, e.g. `handlers.main`. */
  readonly handlerName: string;
}

/**
 * Splits a handler string as the Node.js runtime does.
 *
 * @throws {RuntimeInitError} `Runtime.MalformedHandlerName` for a handler with `..` or without a dot.
 */
export function parseHandlerString(handler: string): ParsedHandler {
  if (handler.includes('..')) {
    throw new RuntimeInitError('Runtime.MalformedHandlerName', `'${handler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const base = basename(handler);
  const match = /^([^.]*)\.(.*)$/.exec(base);
  if (!match || match[1] === undefined || match[2] === undefined) throw new RuntimeInitError('Runtime.MalformedHandlerName', 'Bad handler');
  return { moduleRoot: handler.slice(0, handler.length - base.length).replace(/\/$/, ''), moduleName: match[1], handlerName: match[2] };
}

/** The major Node.js version of a Lambda runtime identifier (`nodejs24.x` → 24); 24 when unknown. */
export function nodeMajorOf(runtime: string | undefined): number {
  const major = /^nodejs(\d+)/.exec(runtime ?? '')?.[1];
  return major === undefined ? 24 : Number(major);
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

async function importModule(taskRoot: string, parsed: ParsedHandler): Promise<unknown> {
  const base = resolve(taskRoot, parsed.moduleRoot, parsed.moduleName);
  try {
    for (const extension of ['', '.js', '.mjs', '.cjs']) {
      if (isFile(base + extension)) return await import(pathToFileURL(base + extension).href);
    }
    const require = createRequire(join(taskRoot, 'noop.js'));
    return require(require.resolve(parsed.moduleName, { paths: [taskRoot, join(taskRoot, parsed.moduleRoot)] }));
  } catch (error) {
    if (error instanceof SyntaxError) throw new RuntimeInitError('Runtime.UserCodeSyntaxError', String(error), { cause: error });
    const code = (error as { code?: unknown } | null)?.code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') throw new RuntimeInitError('Runtime.ImportModuleError', String(error), { cause: error });
    throw error;
  }
}

function findIn(path: string, root: unknown): unknown {
  return path.split('.').reduce<unknown>((nested, key) => (typeof nested === 'object' && nested !== null ? (nested as Record<string, unknown>)[key] : undefined), root);
}

/**
 * Imports the handler module (running its top-level code: the init phase) and resolves
 * the handler function.
 *
 * @param taskRoot - the asset directory (`LAMBDA_TASK_ROOT`).
 * @param handler - the function's `Handler` (`_HANDLER`).
 * @param runtime - the function's `Runtime`, e.g. `nodejs24.x`; callback-style handlers are rejected from Node.js 24 on.
 * @throws {RuntimeInitError} for the failures listed on the class; whatever the module's top-level code throws, as is.
 */
export async function loadHandler(taskRoot: string, handler: string, runtime: string | undefined): Promise<LoadedHandler> {
  const parsed = parseHandlerString(handler);
  const mod = await importModule(taskRoot, parsed);
  let fn = findIn(parsed.handlerName, mod);
  if (!fn && typeof mod === 'object' && mod !== null && 'default' in mod) fn = findIn(parsed.handlerName, (mod as { default: unknown }).default);
  if (!fn) throw new RuntimeInitError('Runtime.HandlerNotFound', `${handler} is undefined or not exported`);
  if (typeof fn !== 'function') throw new RuntimeInitError('Runtime.HandlerNotFound', `${handler} is not a function`);
  const streaming = Boolean((fn as unknown as Record<symbol, unknown>)[Symbol.for('aws.lambda.runtime.handler.streaming')]);
  if (fn.length >= 3 && !streaming && nodeMajorOf(runtime) >= 24) {
    throw new RuntimeInitError('Runtime.CallbackHandlerDeprecated', 'ERROR: AWS Lambda has removed support for callback-based function handlers starting with Node.js 24. You need to modify this function to use a supported handler signature to use Node.js 24 or later.');
  }
  if (fn.length >= 3 && !streaming) return callbackAdapter(fn as (event: unknown, context: unknown, callback: (error: unknown, result?: unknown) => void) => unknown);
  return fn as LoadedHandler;
}

/** A callback-style handler of a pre-24 runtime (`nodejs22.x` …) as a promise-returning one. */
function callbackAdapter(fn: (event: unknown, context: unknown, callback: (error: unknown, result?: unknown) => void) => unknown): LoadedHandler {
  return (event, context) => new Promise((resolvePromise, reject) => {
    const callback = (error: unknown, result?: unknown): void => { if (error !== null && error !== undefined) reject(error); else resolvePromise(result); };
    const returned = fn(event, context, callback);
    if (returned instanceof Promise) returned.then(resolvePromise, reject);
  });
}
