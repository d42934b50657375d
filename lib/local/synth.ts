/**
 * Synthesizes the CDK app in-process (the same app `bin/app.ts` synthesizes for the CLI,
 * with the `cdk.json` context) into a temporary cloud assembly directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../stacks/app.ts';

/** Builds an app into `outdir` with extra context; `synth()` writes the cloud assembly. */
export type AppBuilder = (options: { outdir: string; context: Record<string, unknown> }) => { synth(): { directory: string } };

/** Options of {@link synthesizeApp}. */
export interface SynthOptions {
  /** Extra context over `cdk.json` (e.g. `{ identityApiUrl }`). @default {} */
  readonly context?: Record<string, unknown>;
  /** Where to write the assembly. @default - a new temporary directory, removed by `cleanup()` */
  readonly outdir?: string;
  /** The app to synthesize. @default - the example app (`lib/stacks/app.ts` `buildApp`) */
  readonly build?: AppBuilder;
}

/** A synthesized cloud assembly on disk. */
export interface SynthesizedApp {
  readonly assemblyDir: string;
  /** Removes the directory when it was a temporary one. */
  cleanup(): void;
}

/**
 * Synthesizes the app in this process (bundling each function with esbuild, as `cdk deploy` would).
 *
 * @throws whatever the app throws at synth (invalid props, failed bundling).
 */
export function synthesizeApp(options: SynthOptions = {}): SynthesizedApp {
  const temporary = options.outdir === undefined;
  const outdir = options.outdir ?? mkdtempSync(join(tmpdir(), 'sluice-cdk-'));
  const build = options.build ?? ((o) => buildApp(o));
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
