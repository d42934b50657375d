/**
 * `sluice init <dir>`: scaffolds a new CDK app that uses Sluice, as `cdk init` does.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT, UsageError, stringFlag } from './args.ts';
import type { CommandSpec } from './args.ts';
import { scaffoldFiles } from './init-templates.ts';
import type { TemplateVersions } from './init-templates.ts';
import { SluiceError } from '../../lambda/runtime/index.ts';

interface OwnPackage {
  readonly version: string;
  readonly devDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

/** Sluice's own package.json (found upwards from this file, in the repo or in node_modules). */
function ownPackage(): OwnPackage {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as OwnPackage & { name?: string };
      if (pkg.name === 'sluice') return pkg;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new SluiceError('PACKAGE_NOT_FOUND', `Cannot find the package.json of sluice above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** The versions of the scaffold: Sluice's own and the ones it is built and tested with. */
export function templateVersions(sluiceSpec: string | undefined): TemplateVersions {
  const pkg = ownPackage();
  const dev = pkg.devDependencies ?? {};
  const pick = (name: string, fallback: string): string => dev[name] ?? pkg.peerDependencies?.[name] ?? fallback;
  return {
    sluice: sluiceSpec ?? `^${pkg.version}`,
    awsCdkLib: pick('aws-cdk-lib', '^2.200.0'),
    constructs: pick('constructs', '^10.0.0'),
    zod: pick('zod', '^4.0.0'),
    awsCdk: pick('aws-cdk', '^2.1000.0'),
    typescript: pick('typescript', '^5.9.0'),
    vitest: pick('vitest', '^3.0.0'),
    typesNode: pick('@types/node', '^24.0.0'),
    node: pick('node', '^24'),
  };
}

/** `sluice init <dir> [--sluice <npm spec>]`. */
export const initCommand: CommandSpec = {
  name: 'init',
  summary: 'Scaffold a new CDK app with an EventTopic, a QueueConsumer, a handler, a test and an events file',
  usage: 'sluice init <dir> [--sluice <npm spec>]',
  positionals: [{ name: '<dir>', description: 'Directory to create (must not exist or be empty)' }],
  flags: {
    sluice: { type: 'string', value: 'spec', description: 'npm spec of the sluice dependency (a version range, a tarball path, file:…)', default: '^<this version>' },
  },
  examples: ['sluice init orders && cd orders && npm install && npm test && npm start', 'sluice init demo --sluice file:../sluice-0.1.0.tgz'],
  async run(values, positionals, output) {
    const [target] = positionals;
    if (target === undefined) throw new UsageError('missing <dir>');
    const dir = resolve(target);
    if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`${dir} is not empty; sluice init writes only into a new or empty directory`);
    const name = basename(dir).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'sluice-app';
    let spec = stringFlag(values, 'sluice');
    if (spec !== undefined && /\.tgz$/.test(spec) && !spec.startsWith('file:')) spec = `file:${resolve(spec)}`;
    const files = scaffoldFiles(name, templateVersions(spec));
    for (const [path, content] of Object.entries(files)) {
      const file = join(dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    }
    output.out([
      `Created ${dir}:`,
      ...Object.keys(files).map((f) => `  ${f}`),
      '',
      'Next:',
      `  cd ${target}`,
      '  npm install',
      '  npm test     # type-check and the handler test',
      '  npm start    # the whole app locally: sluice dev --events events.jsonl',
    ].join('\n'));
    return EXIT.ok;
  },
};
