/**
 * Watches a CDK app's source files the way `cdk watch` selects them: the `watch.include`
 * and `watch.exclude` globs of its `cdk.json` (relative to the app directory), `**` when
 * there is no include, the CDK CLI's default excludes when there is no exclude, and always
 * the output directory, `node_modules`, dot files and dot directories (`.git`, `.sluice`).
 * Changes are debounced: one callback per burst, with every changed path.
 *
 * One `fs.watch` per directory (not `recursive: true`, which on Linux would also watch
 * every directory of `node_modules`); excluded directories are never entered.
 */
import { existsSync, readFileSync, readdirSync, statSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { isAbsolute, join, matchesGlob, relative, resolve, sep } from 'node:path';
import { LocalRuntimeError } from './errors.ts';

/** What `cdk watch` excludes when `cdk.json` has no `watch.exclude` (toolkit-lib's `WATCH_EXCLUDE_DEFAULTS`). */
export const CDK_WATCH_EXCLUDE_DEFAULTS: readonly string[] = Object.freeze([
  'README.md', 'cdk*.json', 'package*.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'bun.lock', 'deno.lock',
  'tsconfig*.json', '**/*.d.ts', 'test', 'requirements*.txt', 'source.bat', '**/__init__.py', '**/__pycache__', 'tests',
  '**/*.sln', '**/*.csproj', '**/*.fsproj', 'go.mod', 'go.sum', '**/*test.go',
]);

/** Excluded whatever `cdk.json` says, as `cdk watch` does. */
const ALWAYS_EXCLUDED: readonly string[] = ['.*', '**/.*', '**/node_modules'];

/** Which files of an app trigger a reload. */
export interface WatchSelection {
  /** Globs relative to the app directory. */
  readonly include: readonly string[];
  readonly exclude: readonly string[];
}

function globList(value: unknown, where: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((v): v is string => typeof v === 'string')) {
    throw new LocalRuntimeError(`${where}: received ${JSON.stringify(value)}; allowed: a glob or a list of globs`);
  }
  return list;
}

/**
 * The watch selection of the app in `dir`: its `cdk.json` `watch` settings plus the
 * excludes that always apply: its `output` directory (`cdk.out` by default), and `outputs`,
 * paths Sluice itself writes (log directory, summary file; relative to the current
 * directory) when they lie inside the app directory.
 *
 * @throws {LocalRuntimeError} when `watch.include` or `watch.exclude` is not a glob or a list of globs.
 */
export function readWatchSelection(dir: string, outputs: readonly string[] = []): WatchSelection {
  const file = join(dir, 'cdk.json');
  const json = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) as { watch?: { include?: unknown; exclude?: unknown }; output?: unknown } : {};
  const include = globList(json.watch?.include, `${file} watch.include`) ?? [];
  const exclude = globList(json.watch?.exclude, `${file} watch.exclude`) ?? [...CDK_WATCH_EXCLUDE_DEFAULTS];
  const output = typeof json.output === 'string' ? json.output : 'cdk.out';
  const inside = outputs.map((p) => relative(resolve(dir), resolve(p))).filter((p) => p !== '' && !p.startsWith('..') && !isAbsolute(p)).map((p) => p.split(sep).join('/'));
  return { include: include.length > 0 ? include : ['**'], exclude: [...exclude, output, ...ALWAYS_EXCLUDED, ...inside] };
}

/**
 * Whether `path` is or lies below what `pattern` names: a glob is matched as is and as
 * `<glob>/**`; a pattern without glob characters names a file or a directory.
 */
function matches(path: string, pattern: string): boolean {
  const p = pattern.replace(/\/+$/, '');
  if (/[*?[{]/.test(p)) return matchesGlob(path, p) || matchesGlob(path, `${p}/**`);
  return path === p || path.startsWith(`${p}/`);
}

/** Whether a path (relative to the app directory, `/`-separated) is excluded; directories are pruned by excludes only. */
export function isExcluded(selection: WatchSelection, path: string): boolean {
  return selection.exclude.some((p) => matches(path, p));
}

/** Whether a change to this file (relative, `/`-separated) triggers a reload. */
export function isWatched(selection: WatchSelection, path: string): boolean {
  return !isExcluded(selection, path) && selection.include.some((p) => matches(path, p));
}

/** Options of {@link watchAppSources}. */
export interface AppWatcherOptions {
  /** The app directory (globs are relative to it). */
  readonly dir: string;
  readonly selection: WatchSelection;
  /** Quiet time after the last change before `onChange`. @default 300 */
  readonly debounceMs?: number;
  /** The changed files of one burst, relative to `dir`, sorted. */
  readonly onChange: (files: readonly string[]) => void;
}

/** A running watcher. */
export interface AppWatcher {
  close(): void;
}

/**
 * Watches the selected files of an app directory.
 *
 * @example
 * const watcher = watchAppSources({ dir, selection: readWatchSelection(dir), onChange: (files) => reload(files) });
 * watcher.close();
 */
export function watchAppSources(options: AppWatcherOptions): AppWatcher {
  const { dir, selection } = options;
  const watchers = new Map<string, FSWatcher>();
  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const toRelative = (abs: string): string => relative(dir, abs).split(sep).join('/');
  const changedFile = (rel: string): void => {
    if (!isWatched(selection, rel)) return;
    changed.add(rel);
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...changed].sort();
      changed.clear();
      if (!closed) options.onChange(files);
    }, options.debounceMs ?? 300);
  };
  /** A directory that appeared (created, moved in, checked out): its files count as changed. */
  const appeared = (abs: string): void => {
    if (watchers.has(abs)) return;
    watchDir(abs);
    try {
      for (const e of readdirSync(abs, { recursive: true, withFileTypes: true })) if (e.isFile()) changedFile(toRelative(join(e.parentPath, e.name)));
    } catch { /* removed meanwhile */ }
  };
  const watchDir = (abs: string): void => {
    const rel = toRelative(abs);
    if (closed || watchers.has(abs) || (rel !== '' && isExcluded(selection, rel))) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(abs, (_event, name) => {
        if (name === null) return;
        const path = join(abs, name);
        let isDir = false;
        try { isDir = statSync(path).isDirectory(); } catch { /* removed: a change of its own */ }
        if (isDir) { appeared(path); return; }
        changedFile(toRelative(path));
      });
    } catch {
      return; // gone before it could be watched
    }
    watcher.on('error', () => { watcher.close(); watchers.delete(abs); });
    watchers.set(abs, watcher);
    let entries: string[] = [];
    try {
      entries = readdirSync(abs, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch { /* removed meanwhile */ }
    for (const name of entries) watchDir(join(abs, name));
  };
  watchDir(dir);
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      watchers.clear();
    },
  };
}
