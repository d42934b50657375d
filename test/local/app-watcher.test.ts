/**
 * Which files of an app `sluice dev --watch` reloads on, chosen as `cdk watch` chooses
 * them (cdk.json `watch.include`/`watch.exclude`, the CDK's default excludes, and always
 * the output directory, node_modules and dot directories), and the debounced watcher.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isWatched, readWatchSelection, watchAppSources } from '../../lib/local/index.ts';
import type { AppWatcher } from '../../lib/local/index.ts';
import { waitFor } from '../helpers/wait-for.ts';

function appDir(cdkJson: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-watch-'));
  writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ app: 'node bin/app.ts', ...cdkJson }));
  return dir;
}

describe('watch selection', () => {
  it('watches everything but the CDK defaults, the output, node_modules and dot directories when cdk.json has no watch', () => {
    const selection = readWatchSelection(appDir({}));
    const watched = ['bin/app.ts', 'lib/stack.ts', 'src/handlers/a.ts', 'src/data.json'];
    const ignored = ['README.md', 'cdk.json', 'cdk.context.json', 'package.json', 'tsconfig.json', 'lib/x.d.ts', 'test/a.test.ts',
      'cdk.out/manifest.json', 'node_modules/x/index.js', 'lib/node_modules/y.js', '.git/HEAD', '.sluice/logs/a.log', 'src/.env'];
    expect(watched.filter((f) => !isWatched(selection, f))).toEqual([]);
    expect(ignored.filter((f) => isWatched(selection, f))).toEqual([]);
  });

  it("honours cdk.json's watch.include and watch.exclude, its output directory, and extra excludes", () => {
    const dir = appDir({ output: 'build/cdk', watch: { include: ['src/**', 'bin'], exclude: ['src/**/*.md'] } });
    const selection = readWatchSelection(dir, [join(dir, 'logs'), join(tmpdir(), 'elsewhere.json')]);
    expect(selection.include).toEqual(['src/**', 'bin']);
    expect(selection.exclude).toContain('logs');
    expect(selection.exclude.some((p) => p.includes('elsewhere'))).toBe(false);
    expect(['src/a.ts', 'src/deep/b.ts', 'bin/app.ts', 'README.md'].map((f) => isWatched(selection, f))).toEqual([true, true, true, false]);
    // A user exclude replaces the CDK defaults, as in `cdk watch`; some exclusions always apply.
    expect(['src/notes.md', 'src/node_modules/x.js', 'build/cdk/x', 'logs/a.log', 'lib/stack.ts'].map((f) => isWatched(selection, f))).toEqual([false, false, false, false, false]);
  });

  it('rejects a watch.include that is not a glob or a list of globs', () => {
    expect(() => readWatchSelection(appDir({ watch: { include: 3 } }))).toThrow(/watch\.include: received 3; allowed: a glob or a list of globs/);
  });
});

describe('watchAppSources', () => {
  let watcher: AppWatcher | undefined;
  afterEach(() => watcher?.close());

  it('reports one debounced burst of watched changes, new directories included, and ignores excluded ones', async () => {
    const dir = appDir({ watch: { include: ['src/**'] } });
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'node_modules/pkg'), { recursive: true });
    const bursts: (readonly string[])[] = [];
    watcher = watchAppSources({ dir, selection: readWatchSelection(dir), debounceMs: 200, onChange: (files) => bursts.push(files) });
    writeFileSync(join(dir, 'src/a.ts'), 'a');
    writeFileSync(join(dir, 'src/b.ts'), 'b');
    writeFileSync(join(dir, 'node_modules/pkg/index.js'), 'x');
    writeFileSync(join(dir, 'other.ts'), 'x');
    await waitFor(() => bursts.length === 1, 5000, 'the first burst');
    expect(bursts[0]).toEqual(['src/a.ts', 'src/b.ts']);
    // A directory that appears with files in it (a checkout, a move): its files count as changed.
    mkdirSync(join(dir, 'new-dir/src'), { recursive: true });
    writeFileSync(join(dir, 'new-dir/src/c.ts'), 'c');
    cpSync(join(dir, 'new-dir/src'), join(dir, 'src/nested'), { recursive: true });
    await waitFor(() => bursts.some((b) => b.includes('src/nested/c.ts')), 5000, 'the files of a new directory');
    expect(bursts.flat().filter((f) => !f.startsWith('src/'))).toEqual([]);
  });
});
