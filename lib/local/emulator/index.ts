/**
 * lib/local/emulator: the room's only way in from other folders.
 */
export { matchesPattern, snsAttributeValues } from './event-pattern.ts';
export { LambdaInvoker } from './lambda-invoker.ts';
export { DEFAULT_LOCAL_CONCURRENCY, EsmEmulator } from './esm-emulator.ts';
export type { EsmEmulatorOptions } from './esm-emulator.ts';
