/**
 * The example app built from the kit (user sign-ups and FIFO orders): its CDK app, demo
 * traffic and identity-provider fake. Nothing in the kit imports this folder.
 */
export { buildApp } from './app.ts';
export { EXAMPLE } from './sluice-example-stack.ts';
export { planDemoEvents, planOrders, planUserEvents, writeEventsFile } from './demo-traffic.ts';
export type { DemoEventLine } from './demo-traffic.ts';
export { startIdentityProvider } from './identity-provider.ts';
export { readCdkContext } from './cdk-context.ts';
