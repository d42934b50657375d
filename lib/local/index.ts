/**
 * lib/local: the room's only way in from other folders.
 */
export { DEV_DEFAULTS, runDev } from './dev.ts';
export { invokeFunction } from './invoke.ts';
export { localClientConfig, startEmbeddedServer } from './embedded-server.ts';
export type { EmbeddedServer } from './embedded-server.ts';
export type { DevSummary } from './dev-summary.ts';
export { provisionApp } from './provision.ts';
export type { LocalQueue, ProvisionedApp } from './provision.ts';
export { startLocalFunctions } from './local-app.ts';
export type { LocalFunctions } from './local-app.ts';
export { queueBacklog, totalBacklog } from './drain.ts';
export type { Progress, ProgressItem, Reporter } from './reporter.ts';
