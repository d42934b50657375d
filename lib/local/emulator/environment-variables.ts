/**
 * The environment variables of a local execution environment: the function's own (from
 * the template), over the unreserved defaults of Lambda's Node.js runtime, under the
 * reserved variables Lambda sets (which a function cannot override in Lambda either).
 */
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCAL_CREDENTIALS } from '../../sqs/index.ts';
import { SLUICE_ENV } from '../../../lambda/runtime/contract.ts';

/** The Lambda runtime a function gets when its template names none. */
export const DEFAULT_RUNTIME = 'nodejs24.x';

/** Dummy session token of the local credentials (fauxqs never checks it). */
export const LOCAL_SESSION_TOKEN = 'sluice-local-session';

/** What the environment variables are built from. */
export interface EnvironmentFunction {
  readonly name: string;
  readonly handler: string;
  readonly assetDir: string;
  readonly memoryMiB: number;
  /** The template's `Runtime`, e.g. `nodejs24.x`. @default {@link DEFAULT_RUNTIME} */
  readonly runtime?: string | undefined;
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * A log stream name in Lambda's format: `YYYY/MM/DD/[$LATEST]` and 32 hex digits, one per
 * execution environment.
 */
export function newLogStreamName(now = new Date()): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[$LATEST]${randomUUID().replaceAll('-', '')}`;
}

/**
 * Where the emulator's "runtime" lives (the environment thread's directory): stands in
 * for Lambda's `/var/runtime` as `LAMBDA_RUNTIME_DIR`.
 */
export const LOCAL_RUNTIME_DIR = dirname(fileURLToPath(import.meta.url));

/**
 * The environment variables one execution environment sees.
 *
 * Unreserved (the function may override them, as in Lambda): `LANG`, `PATH` (Lambda's,
 * with the directory of the local `node` binary in place of `/var/lang/bin`). Reserved
 * (always Lambda's values): `_HANDLER`, `AWS_REGION`, `AWS_DEFAULT_REGION`,
 * `AWS_EXECUTION_ENV` (`AWS_Lambda_` + the runtime), `AWS_LAMBDA_FUNCTION_NAME`,
 * `AWS_LAMBDA_FUNCTION_VERSION`, `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`,
 * `AWS_LAMBDA_INITIALIZATION_TYPE` (`on-demand`), `AWS_LAMBDA_LOG_GROUP_NAME`,
 * `AWS_LAMBDA_LOG_STREAM_NAME`, the credentials with `AWS_SESSION_TOKEN`,
 * `LAMBDA_TASK_ROOT` (the asset directory), `LAMBDA_RUNTIME_DIR`, `TZ`; plus Sluice's
 * `AWS_ENDPOINT_URL` and `SLUICE_SQS_ENDPOINT` pointing at the local server.
 *
 * @param logStreamName - the environment's log stream. @default a new one
 */
export function lambdaEnvironmentVariables(fn: EnvironmentFunction, region: string, endpoint: string, logStreamName = newLogStreamName()): Record<string, string> {
  return {
    LANG: 'en_US.UTF-8',
    PATH: `${dirname(process.execPath)}:/usr/local/bin:/usr/bin/:/bin:/opt/bin`,
    ...fn.environment,
    _HANDLER: fn.handler,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime ?? DEFAULT_RUNTIME}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMiB),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: LOCAL_SESSION_TOKEN,
    AWS_ENDPOINT_URL: endpoint,
    [SLUICE_ENV.SQS_ENDPOINT]: endpoint,
    LAMBDA_TASK_ROOT: fn.assetDir,
    LAMBDA_RUNTIME_DIR: LOCAL_RUNTIME_DIR,
    TZ: ':UTC',
  };
}
