/**
 * The layout the README's Layout section describes: one folder per concern, each reached
 * from other folders only through its `index.ts`; imports flow one way; nothing in the kit
 * imports the example; `lambda/` never imports `lib/` or `aws-cdk-lib`.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli-process.ts';

/** Folders holding source (`.ts`) of the kit and the example, repo-relative. */
function sourceFolders(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(join(REPO_ROOT, dir))) {
    const path = join(dir, entry);
    if (statSync(join(REPO_ROOT, path)).isDirectory()) sourceFolders(path, out);
  }
  if (readdirSync(join(REPO_ROOT, dir)).some((f) => f.endsWith('.ts'))) out.push(dir);
  return out;
}

function files(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(dir, f));
}

const ROOMS = [...sourceFolders('lib'), ...sourceFolders('lambda')].sort((a, b) => b.length - a.length);
const roomOf = (file: string): string | undefined => ROOMS.find((r) => file === r || dirname(file) === r);
/**
 * Files other rooms may import besides an index: the runtime's shared contract and
 * fixtures, and the files the emulator's thread loads alone (its handler loader needs the
 * error base class, from errors.ts, which imports nothing).
 */
const ALSO_ENTRIES: Record<string, readonly string[]> = {
  'lambda/runtime/contract.ts': ['*'],
  'lambda/runtime/testing.ts': ['*'],
  'lambda/runtime/errors.ts': ['lib/local/emulator/handler-loader.ts'],
  'lib/sqs/loopback.ts': ['lib/local/emulator/lambda-environment-thread.ts'],
  'lib/sqs/partial-response.ts': ['lib/local/emulator/lambda-environment-thread.ts'],
};

interface Edge { from: string; to: string }
function importsOf(file: string): Edge[] {
  const text = readFileSync(join(REPO_ROOT, file), 'utf8');
  const edges: Edge[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = m[1] ?? m[2]!;
    edges.push({ from: file, to: spec.startsWith('.') ? relative(REPO_ROOT, resolve(REPO_ROOT, dirname(file), spec)) : spec });
  }
  return edges;
}

const KIT = [...files('bin'), ...files('lib'), ...files('lambda')].filter((f) => !f.startsWith('lib/example/') && f !== 'bin/app.ts');
const EXAMPLE = [...files('lib/example'), 'bin/app.ts'];

describe('layout', () => {
  it('every folder is reached from other folders only through its index.ts', () => {
    const violations: string[] = [];
    for (const file of [...KIT, ...EXAMPLE]) {
      for (const { to } of importsOf(file)) {
        if (!to.startsWith('lib/') && !to.startsWith('lambda/') && !to.startsWith('bin/')) continue;
        const target = roomOf(to);
        if (target === undefined || target === roomOf(file)) continue;
        const allowed = ALSO_ENTRIES[to];
        if (to === `${target}/index.ts` || allowed?.includes('*') || allowed?.includes(file)) continue;
        violations.push(`${file} → ${to}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('nothing in the kit imports the example, and lambda/ imports neither lib/ nor aws-cdk-lib', () => {
    const bad = KIT.flatMap(importsOf).filter(({ from, to }) =>
      to.startsWith('lib/example') || (from.startsWith('lambda/') && (to.startsWith('lib/') || to.startsWith('bin/') || to.startsWith('aws-cdk-lib') || to === 'constructs')));
    expect(bad).toEqual([]);
  });

  it('the example uses the kit only through its package entries', () => {
    const entries = ['lambda/runtime/index.ts', 'lambda/runtime/testing.ts', 'lambda/idempotency/index.ts', 'lib/constructs/index.ts', 'lib/local-api/index.ts'];
    const bad = EXAMPLE.flatMap(importsOf).filter(({ to }) => (to.startsWith('lib/') || to.startsWith('lambda/')) && !to.startsWith('lib/example') && !entries.includes(to));
    expect(bad).toEqual([]);
  });

  it('lib/constructs and lib/sqs never import the local tooling, the worker or the CLI', () => {
    const bad = KIT.filter((f) => f.startsWith('lib/constructs/') || f.startsWith('lib/sqs/')).flatMap(importsOf)
      .filter(({ to }) => /^lib\/(local|worker|redrive|cli|local-api)\//.test(to));
    expect(bad).toEqual([]);
  });

  it("the README's Layout tree lists every source folder", () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const layout = readme.slice(readme.indexOf('## Layout'), readme.indexOf('\n## ', readme.indexOf('## Layout') + 1));
    const listed = [...layout.matchAll(/^(\S+\/)\s/gm)].map((m) => m[1]!.replace(/\/$/, ''));
    const missing = ROOMS.filter((r) => !listed.includes(r) && !listed.some((l) => r.startsWith(`${l}/`) && r.split('/').length > l.split('/').length + 1));
    expect(missing.filter((r) => !r.startsWith('lib/example/'))).toEqual([]);
    for (const l of listed.filter((x) => x.startsWith('lib/') || x.startsWith('lambda/'))) expect(ROOMS, `README lists ${l}`).toContain(l);
  });
});
