/**
 * Hot reload for `sluice dev --watch`: when a watched source file of the app changes, the
 * app is synthesized again (the synth bundles each function, as `cdk deploy` would), the
 * functions whose asset or configuration changed get the new code, and the rest keep
 * running untouched. No message is lost: the emulators never stop, in-flight batches
 * finish on the old code and their responses are applied as usual (nothing is deleted
 * that did not succeed), and later invocations start environments on the new asset
 * (`LambdaInvoker.reload`). A failed synth is reported and the old code keeps running.
 * Topology changes are reported as needing a restart (see reload-plan.ts).
 *
 * Every synth writes a new assembly directory; one is removed once no function runs code
 * from it any more.
 */
import { sep } from 'node:path';
import { watchAppSources } from './app-watcher.ts';
import type { AppWatcher, WatchSelection } from './app-watcher.ts';
import type { LocalFunctions } from './local-app.ts';
import { displayNameOf, invokerFunctionOf } from './local-app.ts';
import { keyOf, readAppModel } from './model/index.ts';
import type { FunctionModel, SynthesizedApp } from './model/index.ts';
import type { ProvisionedApp } from './provision.ts';
import { planReload } from './reload-plan.ts';
import type { Reporter } from './reporter.ts';

/** What one reload did. */
export interface ReloadResult {
  /** The changed files that started it (relative to the app directory). */
  readonly files: readonly string[];
  readonly durationMs: number;
  /** Functions now running the new build, with why (`asset changed`, `configuration changed`). */
  readonly reloaded: readonly { readonly name: string; readonly reasons: readonly string[] }[];
  readonly unchanged: number;
  /** Changes not applied: restart `sluice dev` to apply them. */
  readonly restartNeeded: readonly string[];
  /** Why the synth failed; the functions keep running their previous code. */
  readonly error?: string;
}

/** Options of {@link startHotReload}. */
export interface HotReloadOptions {
  /** The app directory, watched with `selection`. */
  readonly dir: string;
  readonly selection: WatchSelection;
  /** Synthesizes the app again; `onMessage` receives the app's and toolkit's output, printed when the synth fails. */
  readonly synthesize: (onMessage: (message: string) => void) => Promise<SynthesizedApp>;
  /** The assembly the functions run now. */
  readonly initial: SynthesizedApp;
  readonly app: ProvisionedApp;
  readonly local: LocalFunctions;
  readonly reporter: Pick<Reporter, 'info' | 'warn' | 'error'>;
  /** @default 300 */
  readonly debounceMs?: number;
  /** After each reload (applied or failed). */
  readonly onReload?: (result: ReloadResult) => void;
}

/** A running hot reload. */
export interface HotReloader {
  /** Synthesizes and applies now, as a change of `files` would. */
  reload(files?: readonly string[]): Promise<ReloadResult>;
  /** Stops watching and waits for a reload under way. */
  stop(): Promise<void>;
  /** Removes the assemblies it synthesized; call once the functions have stopped. */
  dispose(): void;
}

interface Assembly {
  readonly synth: SynthesizedApp;
  /** Settle when environments that ran code from this assembly have exited. */
  readonly retiring: Promise<void>[];
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const listFiles = (files: readonly string[]): string => (files.length <= 3 ? files.join(', ') : `${files.slice(0, 3).join(', ')} and ${files.length - 3} more`);

/**
 * Watches the app and reloads changed functions.
 *
 * @example
 * const reloader = startHotReload({ dir, selection: readWatchSelection(dir), synthesize, initial: synth, app, local, reporter });
 * await reloader.stop();
 * await local.stop();
 * reloader.dispose();
 */
export function startHotReload(options: HotReloadOptions): HotReloader {
  const { app, local, reporter } = options;
  const byKey = new Map(local.functions.map((f) => [keyOf(f.model), f]));
  /** The model each function runs now. */
  const current = new Map<string, FunctionModel>(local.functions.map((f) => [keyOf(f.model), f.model]));
  const assemblies: Assembly[] = [{ synth: options.initial, retiring: [] }];
  const inAssembly = (fn: FunctionModel, a: Assembly): boolean => fn.assetDir.startsWith(`${a.synth.assemblyDir}${sep}`);
  const collect = (): void => {
    for (const a of [...assemblies]) {
      if ([...current.values()].some((fn) => inAssembly(fn, a))) continue;
      assemblies.splice(assemblies.indexOf(a), 1);
      void Promise.all(a.retiring).then(() => a.synth.cleanup());
    }
  };

  const run = async (files: readonly string[]): Promise<ReloadResult> => {
    const started = performance.now();
    reporter.info(`Change detected${files.length > 0 ? ` (${listFiles(files)})` : ''}: synthesizing again…`);
    const messages: string[] = [];
    let synth: SynthesizedApp | undefined;
    try {
      synth = await options.synthesize((m) => messages.push(m));
      const model = readAppModel(synth.assemblyDir);
      const plan = planReload(current, app.model, model, (fn) => invokerFunctionOf(app, fn));
      assemblies.push({ synth, retiring: [] });
      for (const change of plan.changed) {
        const before = current.get(change.key)!;
        current.set(change.key, change.next);
        const retired = byKey.get(change.key)!.invoker.reload(invokerFunctionOf(app, change.next));
        assemblies.find((a) => inAssembly(before, a))?.retiring.push(retired);
      }
      collect();
      const reloaded = plan.changed.map((c) => ({ name: displayNameOf(c.next), reasons: c.reasons }));
      const durationMs = performance.now() - started;
      const what = reloaded.length > 0 ? reloaded.map((r) => `${r.name} (${r.reasons.join(', ')})`).join(', ') : 'no function changed';
      reporter.info(`Reloaded in ${seconds(durationMs)}: ${what}, ${plan.unchanged.length} unchanged`);
      if (plan.restartNeeded.length > 0) reporter.warn(`Not applied (restart sluice dev to apply): ${plan.restartNeeded.join(', ')}`);
      return { files, durationMs, reloaded, unchanged: plan.unchanged.length, restartNeeded: plan.restartNeeded };
    } catch (error) {
      if (synth && !assemblies.some((a) => a.synth === synth)) synth.cleanup();
      const message = error instanceof Error ? error.message : String(error);
      const durationMs = performance.now() - started;
      for (const m of messages) if (m.trim() !== '') reporter.error(m.trimEnd());
      reporter.error(`Reload failed in ${seconds(durationMs)}, still running the previous code: ${message}`);
      return { files, durationMs, reloaded: [], unchanged: current.size, restartNeeded: [], error: message };
    }
  };

  let stopped = false;
  let running: Promise<ReloadResult> | undefined;
  let queued: Set<string> | undefined;
  const reload = (files: readonly string[] = []): Promise<ReloadResult> => {
    if (running) {
      // Changes during a reload: one more reload when it ends, with every file.
      queued ??= new Set();
      for (const f of files) queued.add(f);
      return running;
    }
    const settle = (result: ReloadResult): ReloadResult => {
      options.onReload?.(result);
      running = undefined;
      if (queued && !stopped) {
        const next = [...queued].sort();
        queued = undefined;
        void reload(next);
      }
      return result;
    };
    running = run(files).then(settle);
    return running;
  };
  const watcher: AppWatcher = watchAppSources({
    dir: options.dir, selection: options.selection, onChange: (files) => { void reload(files); },
    ...(options.debounceMs !== undefined ? { debounceMs: options.debounceMs } : {}),
  });
  return {
    reload,
    async stop() {
      stopped = true;
      watcher.close();
      while (running) await running;
    },
    dispose() {
      for (const a of assemblies.splice(0)) a.synth.cleanup();
    },
  };
}
