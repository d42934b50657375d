/**
 * Offline AWS for a CDK app: the embedded SNS/SQS server, provisioning from the cloud
 * assembly, the event source mapping emulator and Lambda invoker, and the `dev`/`invoke` engines.
 */
export { DEV_DEFAULTS, runDev } from './dev.ts';
export { invokeFunction } from './invoke.ts';
export { localClientConfig, startEmbeddedServer } from './embedded-server.ts';
export { createLocalTables, localDynamoDbConfig, startEmbeddedDynamoDb } from './embedded-dynamodb.ts';
export type { EmbeddedDynamoDb, LocalTable } from './embedded-dynamodb.ts';
export type { EmbeddedServer } from './embedded-server.ts';
export type { DevSummary } from './dev-summary.ts';
export { provisionApp } from './provision.ts';
export type { LocalQueue, ProvisionedApp } from './provision.ts';
export { startLocalFunctions } from './local-app.ts';
export type { LocalFunctions, LocalInspectOptions } from './local-app.ts';
export { startHotReload } from './hot-reload.ts';
export type { HotReloadOptions, HotReloader, ReloadResult } from './hot-reload.ts';
export { CDK_WATCH_EXCLUDE_DEFAULTS, isWatched, readWatchSelection, watchAppSources } from './app-watcher.ts';
export type { AppWatcher, AppWatcherOptions, WatchSelection } from './app-watcher.ts';
export { planReload } from './reload-plan.ts';
export type { FunctionChange, ReloadPlan } from './reload-plan.ts';
export { queueBacklog, totalBacklog } from './drain.ts';
export type { Progress, ProgressItem, Reporter } from './reporter.ts';
export type { DevOptions } from './dev.ts';
export type { InvokeOptions, InvokeResult } from './invoke.ts';
export { UnknownFunctionError } from './invoke.ts';
export { EventsFileError, readEventsFile } from './events-file.ts';
export type { EventLine } from './events-file.ts';
export { SynthError, synthesizeCdkApp } from './model/index.ts';
export { LocalRuntimeError } from './errors.ts';
