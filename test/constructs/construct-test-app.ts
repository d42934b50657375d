/**
 * Helpers of the construct tests: stacks synthesized with the `cdk.json` context (the
 * feature flags the CLI would pass), bundling skipped for speed (the example-app test
 * bundles for real).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { InvalidPropsError, QueueConsumer } from '../../lib/constructs/index.ts';
import type { QueueConsumerProps } from '../../lib/constructs/index.ts';
import { readCdkContext } from '../../lib/example/index.ts';

/** Entry of the fixture handler bundled by construct tests. */
export const NOOP_ENTRY = new URL('../fixtures/handlers/noop.ts', import.meta.url).pathname;

/** A fresh app and stack with the `cdk.json` context; bundling is skipped. */
export function newStack(): Stack {
  const app = new App({ context: { ...readCdkContext(), 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Test');
}

/** The single resource of `type` in `template`, failing when there is not exactly one. */
export function onlyResource(template: Template, type: string, props: object = {}): { id: string; properties: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type, props));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [id, resource] = found[0]!;
  return { id, properties: (resource as { Properties: Record<string, unknown> }).Properties };
}

/** `{ "Fn::GetAtt": [logicalId, "Arn"] }` */
export const arnOf = (logicalId: string): object => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
/** `{ Ref: logicalId }` */
export const refOf = (logicalId: string): object => ({ Ref: logicalId });

/** Logical id of the CloudFormation resource behind a construct (its default child). */
export function logicalIdOf(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  const child = construct.node.defaultChild;
  if (!child) throw new Error('construct has no default child');
  return stack.getLogicalId(child as Parameters<Stack['getLogicalId']>[0]);
}

/** The `InvalidPropsError` that `create` throws (any other error is rethrown; none fails the test). */
export function errorOf(create: () => unknown): InvalidPropsError {
  try {
    create();
  } catch (error) {
    if (error instanceof InvalidPropsError) return error;
    throw error;
  }
  throw new Error('expected an InvalidPropsError');
}

/** The problems reported when constructing a consumer with `props` in `stack`, or [] when it is valid. */
export function problemsOf(props: Partial<QueueConsumerProps>, stack: Stack = newStack()): readonly string[] {
  try {
    new QueueConsumer(stack, 'Consumer', { entry: NOOP_ENTRY, ...props });
    return [];
  } catch (error) {
    if (error instanceof InvalidPropsError) return error.problems;
    throw error;
  }
}
