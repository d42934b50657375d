/**
 * What `sluice worker --handler <module>` runs: a Sluice handler, a `handle` function
 * with batch options, or any Lambda SQS handler, adapted to one `WorkerHandler`.
 */
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, toError } from '../../lambda/runtime/index.ts';
import type { BatchOptions, Handle, RecordOutcome, SqsRecord } from '../../lambda/runtime/index.ts';
import { runLambdaHandler, runSluiceHandle } from './handler-runners.ts';
import type { LambdaSqsHandler } from './handler-runners.ts';

/** Per-batch hooks the worker gives a handler. */
export interface BatchHooks {
  /**
   * Called when `handle` settled for a record. With `failed: true` (it threw) the record's
   * visibility is no longer extended, so it is retried after its timeout; otherwise it stays
   * invisible until the worker deleted it or the batch is done.
   */
  onSettled(messageId: string, failed?: boolean): void;
}

/** What one batch produced: the ids to keep (not delete) and the per-record outcomes. */
export interface BatchRunResult {
  /** `messageId`s that did not succeed; every other record is deleted. */
  readonly failedIds: ReadonlySet<string>;
  /** One outcome per record, in record order. */
  readonly outcomes: readonly RecordOutcome[];
}

/** A handler the worker can run a batch through. */
export interface WorkerHandler {
  /** What was loaded, for logs, e.g. `sluice handler ./handler.ts#handler`. */
  readonly description: string;
  /** Runs one batch; never rejects for a failing record. */
  run(records: SqsRecord[], hooks: BatchHooks): Promise<BatchRunResult>;
}

/**
 * Wraps a `handle` function and its batch options; each batch goes through `processBatch`.
 *
 * @example
 * const handler = sluiceWorkerHandler(async (user) => register(user), { concurrency: 20 });
 */
export function sluiceWorkerHandler<T>(handle: Handle<T>, options: BatchOptions<T> = {}, description = 'handle function'): WorkerHandler {
  return { description, run: (records, hooks) => runSluiceHandle(records, handle, options, hooks) };
}

/**
 * Wraps any Lambda SQS handler `(event, context) => response`; its response is read with
 * the partial batch response rules of README "Partial batch responses" (a throw fails the whole batch).
 */
export function lambdaWorkerHandler(handler: LambdaSqsHandler, description = 'Lambda handler'): WorkerHandler {
  return { description, run: (records) => runLambdaHandler(records, handler) };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

/** The `handle` and options a Sluice `sqsHandler(...)` carries on its `sluice` property. */
function exposedSluice(value: unknown): { handle: Handle<unknown>; options: BatchOptions } | undefined {
  if (!isObject(value)) return undefined;
  const sluice = value['sluice'];
  if (!isObject(sluice) || typeof sluice['handle'] !== 'function') return undefined;
  const options = isObject(sluice['options']) ? (sluice['options'] as BatchOptions) : {};
  return { handle: sluice['handle'] as Handle<unknown>, options };
}

/**
 * Picks the handler out of an imported module.
 *
 * In order: the export named `exportName` (default `handler`) when it is a Sluice
 * `sqsHandler(...)` (its `handle` and options run through `processBatch`; middlewares
 * added with `.use()` do not run in the worker); a `handle` export with an optional `options`
 * export (batch options); the `exportName` export as a plain Lambda SQS handler.
 *
 * @throws {ConfigError} when the module has none of these
 */
export function handlerFromModule(mod: Record<string, unknown>, exportName = 'handler', label = 'module'): WorkerHandler {
  const exported = mod[exportName];
  const exposed = exposedSluice(exported);
  if (exposed) return sluiceWorkerHandler(exposed.handle, exposed.options, `Sluice handler ${label}#${exportName}`);
  const handle = mod['handle'];
  if (typeof handle === 'function') {
    const options = mod['options'];
    if (options !== undefined && !isObject(options)) {
      throw new ConfigError([`${label}: export "options" must be an object of batch options; received ${typeof options}`]);
    }
    return sluiceWorkerHandler(handle as Handle<unknown>, (options ?? {}) as BatchOptions, `handle ${label}#handle`);
  }
  if (typeof exported === 'function') {
    return lambdaWorkerHandler(exported as LambdaSqsHandler, `Lambda handler ${label}#${exportName}`);
  }
  throw new ConfigError([
    `${label}: found no handler; allowed: export "${exportName}" = sqsHandler({...}) or any (event, context) => response, ` +
      'or export "handle" (and optionally "options")',
  ]);
}

/**
 * Imports a handler module: a path (relative to `cwd`) or a package specifier, with an
 * optional `#exportName` suffix (default `handler`).
 *
 * @example
 * const handler = await loadHandlerModule('lib/example/handlers/register-user.ts');
 * @throws {ConfigError} when the module cannot be imported or exports no handler
 */
export async function loadHandlerModule(specifier: string, cwd = process.cwd()): Promise<WorkerHandler> {
  const hash = specifier.lastIndexOf('#');
  const path = hash > 0 ? specifier.slice(0, hash) : specifier;
  const exportName = hash > 0 ? specifier.slice(hash + 1) : 'handler';
  const isPath = path.startsWith('.') || path.startsWith('/') || /\.[cm]?[jt]s$/.test(path);
  const url = isPath ? pathToFileURL(resolvePath(cwd, path)).href : path;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError([`handler: cannot import ${JSON.stringify(path)}: ${toError(error).message}`]);
  }
  return handlerFromModule(mod, exportName, path);
}
