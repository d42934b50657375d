/**
 * Builds the example CDK app: the `SluiceExample` stack checked by cdk-nag's
 * `AwsSolutionsChecks`. `bin/app.ts` synthesizes it for the CLI; the local runtime and
 * the tests call {@link buildApp} to synthesize it in-process.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readCdkContext } from './cdk-context.ts';
import { SluiceExampleStack } from './sluice-example-stack.ts';

/** Options of {@link buildApp}. */
export interface BuildAppOptions {
  /**
   * Cloud assembly directory.
   * @default - `CDK_OUTDIR` under the CLI, otherwise a temporary directory
   */
  readonly outdir?: string;
  /**
   * Extra context, over the `cdk.json` context (e.g. `{ identityApiUrl: '…' }`, or
   * `{ 'aws:cdk:bundling-stacks': [] }` to skip bundling).
   * @default - the `cdk.json` context only
   */
  readonly context?: Record<string, unknown>;
}

/**
 * Creates the example app with its stack and cdk-nag. Call `app.synth()` on the result.
 *
 * @example
 * const assembly = buildApp({ outdir: '.sluice/cdk.out' }).synth();
 * const template = assembly.getStackByName('SluiceExample').template;
 */
export function buildApp(options: BuildAppOptions = {}): App {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: { ...readCdkContext(), ...options.context },
  });
  new SluiceExampleStack(app);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}
