/**
 * Synthesizes a CDK app into a cloud assembly directory: a directory's app as `cdk synth`
 * does ({@link synthesizeCdkApp}), or an app built in this process ({@link synthesizeApp},
 * for tests and programmatic use).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { SluiceError } from '../../../lambda/runtime/index.ts';

/** Builds an app into `outdir` with extra context; `synth()` writes the cloud assembly. */
export type AppBuilder = (options: { outdir: string; context: Record<string, unknown> }) => { synth(): { directory: string } };

/** Options of {@link synthesizeApp}. */
export interface SynthOptions {
  /** Extra context over `cdk.json` (e.g. `{ identityApiUrl }`). @default {} */
  readonly context?: Record<string, unknown>;
  /** Where to write the assembly. @default - a new temporary directory, removed by `cleanup()` */
  readonly outdir?: string;
  /** The app to synthesize. */
  readonly build: AppBuilder;
}

/** A synthesized cloud assembly on disk. */
export interface SynthesizedApp {
  readonly assemblyDir: string;
  /** Removes the directory when it was a temporary one. */
  cleanup(): void;
}

/**
 * Synthesizes an app built in this process (bundling each function with esbuild, as `cdk deploy` would).
 *
 * @throws whatever the app throws at synth (invalid props, failed bundling).
 */
export function synthesizeApp(options: SynthOptions): SynthesizedApp {
  const temporary = options.outdir === undefined;
  const outdir = options.outdir ?? mkdtempSync(join(tmpdir(), 'sluice-cdk-'));
  const build = options.build;
  const context = { 'aws:cdk:disable-stack-trace': true, ...options.context };
  try {
    const assembly = build({ outdir, context }).synth();
    return {
      assemblyDir: assembly.directory,
      cleanup: () => { if (temporary) rmSync(outdir, { recursive: true, force: true }); },
    };
  } catch (error) {
    if (temporary) rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
}

/** Options of {@link synthesizeCdkApp}. */
export interface CdkAppSynthOptions {
  /** Directory holding the app's `cdk.json`. @default process.cwd() */
  readonly dir?: string;
  /** Context over `cdk.json`, `cdk.context.json` and `~/.cdk.json`, as `cdk synth -c key=value` gives. @default {} */
  readonly context?: Record<string, unknown>;
  /** Where to write the assembly. @default - a new temporary directory, removed by `cleanup()` */
  readonly outdir?: string;
  /** Receives the app's own output (warnings, cdk-nag reports) and the toolkit's messages at warn level and above. */
  readonly onMessage?: (level: string, message: string) => void;
}

/** The app of a directory could not be synthesized (no `cdk.json`, no `app`, or the app failed). */
export class SynthError extends SluiceError {
  constructor(message: string, options?: ErrorOptions) {
    super('SYNTH', message, options);
    this.name = 'SynthError';
  }
}

/**
 * Synthesizes the CDK app of a directory exactly as `cdk synth` does, through the CDK
 * toolkit library: its `cdk.json` `app` command and context, `cdk.context.json` and the
 * user's `~/.cdk.json`, every stack. Offline: no context lookups and no default
 * environment resolution (both would call AWS); an app that needs a lookup missing from
 * `cdk.context.json` fails with the toolkit's message.
 *
 * @throws {SynthError} when the directory has no `cdk.json` with an `app`, or the app fails.
 */
export async function synthesizeCdkApp(options: CdkAppSynthOptions = {}): Promise<SynthesizedApp> {
  const dir = resolvePath(options.dir ?? process.cwd());
  const cdkJson = join(dir, 'cdk.json');
  if (!existsSync(cdkJson)) throw new SynthError(`No cdk.json in ${dir}: run sluice in the directory of a CDK app (or pass --app-dir).`);
  let app: unknown;
  try {
    app = (JSON.parse(readFileSync(cdkJson, 'utf8')) as { app?: unknown }).app;
  } catch (error) {
    throw new SynthError(`${cdkJson} is not valid JSON.`, { cause: error });
  }
  if (typeof app !== 'string' || app.trim() === '') throw new SynthError(`${cdkJson} has no "app" command.`);
  const temporary = options.outdir === undefined;
  const outdir = options.outdir ?? mkdtempSync(join(tmpdir(), 'sluice-cdk-'));
  const { Toolkit, CdkAppMultiContext } = await import('@aws-cdk/toolkit-lib');
  const onMessage = options.onMessage ?? (() => undefined);
  const toolkit = new Toolkit({
    ioHost: {
      notify: async (msg) => { if (msg.level === 'warn' || msg.level === 'error') onMessage(msg.level, msg.message); },
      requestResponse: async (msg) => msg.defaultResponse,
    },
  });
  try {
    const source = await toolkit.fromCdkApp(app, {
      workingDirectory: dir,
      outdir,
      contextStore: new CdkAppMultiContext(dir, { 'aws:cdk:disable-stack-trace': true, ...options.context }),
      lookups: false,
      resolveDefaultEnvironment: false,
      disposeOutdir: false,
    });
    const assembly = await toolkit.synth(source, { validateStacks: false });
    const directory = assembly.cloudAssembly.directory;
    await assembly.dispose();
    return { assemblyDir: directory, cleanup: () => { if (temporary) rmSync(outdir, { recursive: true, force: true }); } };
  } catch (error) {
    if (temporary) rmSync(outdir, { recursive: true, force: true });
    throw new SynthError(`cdk synth of ${dir} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
