/**
 * The kit as a user gets it: `npm pack`, installed into a project outside the repo, used
 * from there — imports from ESM and CommonJS, the type declarations, a fixture test,
 * `cdk synth` with the CLI, `sluice dev --events` on the project's own app, and
 * `sluice init` followed by the scaffold's `npm test` and `npm start`.
 *
 * Installs once (the registry is the only network it uses, through npm's cache).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli-process.ts';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
const dev = (name: string): string => `${name}@${pkg.devDependencies[name]}`;

let root: string;
let tarball: string;
let project: string;
/** PATH with the project's bins and this Node first (the app command of cdk.json is `node …`). */
let env: NodeJS.ProcessEnv;

async function sh(cwd: string, command: string, args: string[], timeout = 180_000): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(command, args, { cwd, env, timeout, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as Error & { stdout?: string; stderr?: string; code?: number };
    throw new Error(`${command} ${args.join(' ')} failed (${e.code}):\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

const npmInstall = ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'sluice-e2e-'));
  env = { ...process.env, PATH: [join(root, 'project', 'node_modules', '.bin'), dirname(process.execPath), process.env.PATH].join(delimiter) };
  delete env.SLUICE_VITEST_JSON;
  delete env.VITEST;
  delete env.NODE_OPTIONS;
  const packed = await sh(REPO_ROOT, 'npm', ['pack', '--pack-destination', root, '--json', '--loglevel=error']);
  tarball = join(root, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  project = join(root, 'project');
  cpSync(join(REPO_ROOT, 'test', 'e2e', 'fixtures', 'app'), project, { recursive: true });
  writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'shop', private: true, type: 'module' }, null, 2)}\n`);
  mkdirSync(join(root, 'node22'));
  writeFileSync(join(root, 'node22', 'package.json'), '{"name":"node22","private":true}\n');
  await Promise.all([
    sh(project, 'npm', [...npmInstall, tarball, dev('aws-cdk-lib'), dev('constructs'), dev('zod'), dev('aws-cdk'), dev('typescript'), dev('vitest'), dev('@types/node')], 300_000),
    // Node 22 (the oldest the kit supports), from the npm registry's `node` package.
    sh(join(root, 'node22'), 'npm', [...npmInstall, 'node@22'], 300_000),
  ]);
}, 400_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the packed kit, installed into a project outside the repo', () => {
  it('ships only the build, with JavaScript, declarations and source maps, and no tests, bench, chaos or example', async () => {
    const { stdout } = await sh(root, 'tar', ['-tzf', tarball]);
    const files = stdout.split('\n').filter(Boolean);
    expect(files).toContain('package/dist/lambda/runtime/index.js');
    expect(files).toContain('package/dist/lambda/runtime/index.d.ts');
    expect(files).toContain('package/dist/lambda/runtime/index.js.map');
    expect(files).toContain('package/dist/bin/sluice.js');
    expect(files.filter((f) => /\/(test|bench|chaos|corpus|\.ci)\/|\/example\/|\.ts$(?<!\.d\.ts)/.test(f))).toEqual([]);
  });

  it('imports sluice, sluice/cdk, sluice/testing and sluice/local from ESM', async () => {
    const script = "const r = await import('sluice'); const c = await import('sluice/cdk'); const t = await import('sluice/testing'); const l = await import('sluice/local');"
      + 'console.log(JSON.stringify([typeof r.sqsHandler, typeof c.QueueConsumer, typeof t.sqsEvent, typeof l.runDev, typeof l.startWorker]));';
    const { stdout } = await sh(project, process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(stdout)).toEqual(['function', 'function', 'function', 'function', 'function']);
  });

  it('requires sluice/cdk, sluice and sluice/testing from CommonJS', async () => {
    const { stdout } = await sh(project, process.execPath, ['require-check.cjs']);
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ cdk: 'function', runtime: 'function', testing: 'function' });
  });

  it('type-checks a handler, a stack and a test against the declarations', async () => {
    await sh(project, 'tsc', ['--noEmit', '-p', '.']);
  });

  it('runs a fixture test with sluice/testing', async () => {
    const { stdout } = await sh(project, 'vitest', ['run']);
    expect(stdout).toMatch(/1 passed/);
  });

  it('synthesizes with the CDK CLI offline, bundling the handlers that import sluice from node_modules', async () => {
    await sh(project, 'cdk', ['synth', '--quiet', '--no-notices']);
    const template = JSON.parse(readFileSync(join(project, 'cdk.out', 'Shop.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(functions).toHaveLength(3);
    const assets = readdirSync(join(project, 'cdk.out')).filter((d) => d.startsWith('asset.'));
    const bundle = assets.map((a) => { try { return readFileSync(join(project, 'cdk.out', a, 'index.mjs'), 'utf8'); } catch { return ''; } }).find((b) => b.includes('refund of order'));
    expect(bundle).toBeDefined();
    // The runtime is in the bundle; the CDK and the local tooling are not.
    expect(bundle).toMatch(/batchItemFailures/);
    expect(bundle).not.toMatch(/aws-cdk-lib|fauxqs|toolkit-lib/);
  });

  it('runs sluice dev --events on the project: a filtered and a raw-delivery subscriber and a FIFO queue fed directly, lost 0', async () => {
    const summaryFile = join(root, 'summary.json');
    const { stdout } = await sh(project, 'sluice', ['dev', '--events', 'events.jsonl', '--summary-json', summaryFile, '--log-dir', '-'], 240_000);
    expect(stdout).toMatch(/Publishing 7 messages \(4 to Shop\/ShopEvents\/Topic, 3 to Shop\/Ledger\/Queue\)/);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { lost: number; drained: boolean; published: number; functions: Record<string, Record<string, number>> };
    expect(summary).toMatchObject({ published: 7, lost: 0, drained: true });
    // Raw delivery: every topic message (two refunds, two notes).
    expect(summary.functions.Audit).toMatchObject({ routed: 4, succeeded: 4, lost: 0 });
    // The filter policy passes the two refunds; the zero refund is poison, dead-lettered at once.
    expect(summary.functions.Refunds).toMatchObject({ routed: 2, succeeded: 1, deadLettered: 1, deadLetteredByRuntime: 1, lost: 0 });
    // The FIFO consumer checks the order of its account's entries.
    expect(summary.functions.Ledger).toMatchObject({ routed: 3, succeeded: 3, retried: 0, lost: 0 });
  });

  it('reports a bad events line with its file and line, and publishes nothing', async () => {
    writeFileSync(join(project, 'bad.jsonl'), '{"to": "ShopEvents", "message": {}}\n{"to": "Nowhere", "message": "x"}\n');
    const error = await sh(project, 'sluice', ['dev', '--events', 'bad.jsonl', '--log-dir', '-']).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(/bad\.jsonl:2: "to": "Nowhere" names no topic or queue/);
    expect(error?.message).not.toMatch(/Publishing/);
  });

  it('works on Node 22 too: ESM and CommonJS imports, and sluice dev', async () => {
    const node22 = join(root, 'node22', 'node_modules', '.bin');
    const saved = env;
    env = { ...env, PATH: [join(project, 'node_modules', '.bin'), node22, process.env.PATH].join(delimiter) };
    try {
      expect((await sh(project, 'node', ['--version'])).stdout).toMatch(/^v22\./);
      const esm = await sh(project, 'node', ['--input-type=module', '-e', "const c = await import('sluice/cdk'); const l = await import('sluice/local'); console.log(typeof c.QueueConsumer, typeof l.runDev)"]);
      expect(esm.stdout.trim()).toBe('function function');
      const cjs = await sh(project, 'node', ['require-check.cjs']);
      expect(JSON.parse(cjs.stdout.trim().split('\n').at(-1)!)).toEqual({ cdk: 'function', runtime: 'function', testing: 'function' });
      const summaryFile = join(root, 'summary-22.json');
      await sh(project, 'sluice', ['dev', '--events', 'events.jsonl', '--summary-json', summaryFile, '--log-dir', '-'], 240_000);
      expect(JSON.parse(readFileSync(summaryFile, 'utf8'))).toMatchObject({ published: 7, lost: 0, drained: true });
    } finally {
      env = saved;
    }
  });

  it('scaffolds with sluice init; the scaffold passes npm test and npm start', async () => {
    await sh(root, join(project, 'node_modules', '.bin', 'sluice'), ['init', 'demo', '--sluice', tarball]);
    const demo = join(root, 'demo');
    const manifest = JSON.parse(readFileSync(join(demo, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies.sluice).toBe(`file:${tarball}`);
    await sh(demo, 'npm', npmInstall, 300_000);
    const test = await sh(demo, 'npm', ['test']);
    expect(test.stdout).toMatch(/1 passed/);
    const start = await sh(demo, 'npm', ['start'], 240_000);
    expect(start.stdout).toMatch(/Drained in [\d.]+ s: published 5, .*lost 0/);
    const refused = await sh(root, join(project, 'node_modules', '.bin', 'sluice'), ['init', 'demo']).then(() => undefined, (e: Error) => e);
    expect(refused?.message).toMatch(/is not empty/);
  });
});
