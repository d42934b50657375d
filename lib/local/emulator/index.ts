/**
 * lib/local/emulator: the room's only way in from other folders.
 */
export { matchesPattern, passesFilters, snsAttributeValues } from './event-pattern.ts';
export { INIT_TIMEOUT_MS, InvokerClosedError, LambdaInvoker } from './lambda-invoker.ts';
export type { InvocationResult, InvokerFunction, LambdaInvokerOptions } from './lambda-invoker.ts';
export type { EnvironmentInspect } from './execution-environment.ts';
export { DEFAULT_LOCAL_CONCURRENCY, EsmEmulator } from './esm-emulator.ts';
export type { EsmEmulatorOptions } from './esm-emulator.ts';
export { EmulatorSqsError } from './emulator-events.ts';
export type { BatchEvent, EmulatorCounters, EmulatorEvents } from './emulator-events.ts';
export { ERROR_HOLD_MS, INITIAL_CONCURRENCY, LaneScaler, SCALE_UP_INTERVAL_MS } from './lane-scaler.ts';
export { MAX_PAYLOAD_BYTES } from './payload.ts';
export { createLambdaContext } from './lambda-context.ts';
export type { InvokeContextFields, LocalLambdaContext } from './lambda-context.ts';
export { RuntimeInitError, parseHandlerString } from './handler-loader.ts';
export { DEFAULT_RUNTIME, lambdaEnvironmentVariables } from './environment-variables.ts';
