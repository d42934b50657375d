/**
 * What a re-synthesized app changes for `sluice dev --watch`: per running function,
 * whether its asset (the `asset.<hash>` directory the synth bundled) or its configuration
 * (handler, runtime, timeout, memory, resolved environment) changed; and the changes hot
 * reload does not apply (resources added, removed or changed: queues, topics,
 * subscriptions, tables, mappings, functions, reserved concurrency), which need a restart.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { InvokerFunction } from './emulator/index.ts';
import { keyOf } from './model/index.ts';
import type { AppModel, FunctionModel, ModelResource, ResourceKey } from './model/index.ts';

/** A function whose new build differs from the one running. */
export interface FunctionChange {
  readonly key: string;
  readonly next: FunctionModel;
  /** `asset changed` and/or `configuration changed`. */
  readonly reasons: readonly string[];
}

/** The outcome of comparing a new synth with what runs. */
export interface ReloadPlan {
  readonly changed: readonly FunctionChange[];
  /** Keys of the functions whose asset and configuration are the same. */
  readonly unchanged: readonly string[];
  /** Changes hot reload does not apply, for people (e.g. `queue HotReload/Extra added`). */
  readonly restartNeeded: readonly string[];
}

/**
 * Identity of a function's code: the staged asset directory's name (`asset.<hash>`, the
 * hash the CDK computed of the bundle), or a hash of the directory's files when the
 * asset is not staged under such a name.
 */
export function assetIdentity(assetDir: string): string {
  const name = basename(assetDir);
  if (/^asset\.[0-9a-f]{16,}$/.test(name)) return name;
  const hash = createHash('sha256');
  const files = readdirSync(assetDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name)).sort();
  for (const file of files) hash.update(file.slice(assetDir.length)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

/** JSON with object keys sorted, so equal models compare equal. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v));
}

function configOf(fn: InvokerFunction): string {
  const { name, handler, runtime, timeoutSeconds, memoryMiB, environment } = fn;
  return stableJson({ name, handler, runtime, timeoutSeconds, memoryMiB, environment });
}

/** Fields of a function hot reload applies; everything else is topology. */
function topologyOf(fn: FunctionModel): unknown {
  const { assetDir: _a, handler: _h, runtime: _r, timeoutSeconds: _t, memoryMiB: _m, environment: _e, ...rest } = fn;
  return rest;
}

function describeChanges<T extends ResourceKey>(kind: string, before: readonly T[], after: readonly T[], label: (r: T) => string, shape: (r: T) => unknown = (r) => r): string[] {
  const old = new Map(before.map((r) => [keyOf(r), r]));
  const next = new Map(after.map((r) => [keyOf(r), r]));
  const out: string[] = [];
  for (const [k, r] of next) {
    const o = old.get(k);
    if (o === undefined) out.push(`${kind} ${label(r)} added`);
    else if (stableJson(shape(o)) !== stableJson(shape(r))) out.push(`${kind} ${label(r)} changed`);
  }
  for (const [k, r] of old) if (!next.has(k)) out.push(`${kind} ${label(r)} removed`);
  return out;
}

/**
 * Compares a new synth with what runs.
 *
 * @param running - each running function's key and the model it runs now.
 * @param provisioned - the model the local resources were created from.
 * @param next - the new synth's model.
 * @param resolve - the invoker's view of a function (resolved environment), to compare configurations.
 */
export function planReload(
  running: ReadonlyMap<string, FunctionModel>, provisioned: AppModel, next: AppModel, resolve: (fn: FunctionModel) => InvokerFunction,
): ReloadPlan {
  const path = (r: ModelResource): string => `${r.stack}/${r.path}`;
  const changed: FunctionChange[] = [];
  const unchanged: string[] = [];
  for (const [key, current] of running) {
    const fn = next.functions.find((f) => keyOf(f) === key);
    if (fn === undefined) continue;
    const reasons: string[] = [];
    if (assetIdentity(fn.assetDir) !== assetIdentity(current.assetDir)) reasons.push('asset changed');
    if (configOf(resolve(fn)) !== configOf(resolve(current))) reasons.push('configuration changed');
    if (reasons.length > 0) changed.push({ key, next: fn, reasons });
    else unchanged.push(key);
  }
  const mappingLabel = (m: { function: ResourceKey }): string => {
    const fn = [...provisioned.functions, ...next.functions].find((f) => keyOf(f) === keyOf(m.function));
    return fn ? `of ${path(fn)}` : keyOf(m.function);
  };
  const restartNeeded = [
    ...describeChanges('queue', provisioned.queues, next.queues, path),
    ...describeChanges('topic', provisioned.topics, next.topics, path),
    ...describeChanges('subscription', provisioned.subscriptions, next.subscriptions, path),
    ...describeChanges('table', provisioned.tables ?? [], next.tables ?? [], path),
    ...describeChanges('event source mapping', provisioned.eventSourceMappings, next.eventSourceMappings, mappingLabel),
    ...describeChanges('function', provisioned.functions, next.functions, path, topologyOf),
  ];
  return { changed, unchanged, restartNeeded };
}
