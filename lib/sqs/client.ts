/**
 * The one way Sluice's local tooling and worker build AWS SDK clients: a region, an
 * optional endpoint, and dummy credentials when the endpoint is on loopback and the
 * environment has none (so a local run never looks for AWS credentials).
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { isLoopbackHost } from './loopback.ts';

/** Dummy credentials for SDK clients of a local server (fauxqs never checks them). */
export const LOCAL_CREDENTIALS = { accessKeyId: 'sluice-local', secretAccessKey: 'sluice-local' } as const;

/** Settings for any `@aws-sdk/client-*` client Sluice builds. */
export interface ClientConfig {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  maxAttempts: number;
}

/**
 * SDK client settings for `region` and `endpoint`. A loopback endpoint gets dummy
 * credentials, unless `AWS_ACCESS_KEY_ID` or `AWS_PROFILE` is set and `alwaysLocal` is not.
 *
 * @param alwaysLocal - use the dummy credentials whatever the environment says (the embedded server's own clients).
 */
export function clientConfig(region: string, endpoint: string | undefined, alwaysLocal = false): ClientConfig {
  const local = endpoint !== undefined && isLoopbackHost(new URL(endpoint).hostname);
  const envHasCredentials = process.env.AWS_ACCESS_KEY_ID !== undefined || process.env.AWS_PROFILE !== undefined;
  const useDummy = local && (alwaysLocal || !envHasCredentials);
  return {
    region,
    ...(endpoint ? { endpoint } : {}),
    ...(useDummy ? { credentials: { ...LOCAL_CREDENTIALS } } : {}),
    maxAttempts: 3,
  };
}

/** Builds an SQS client with {@link clientConfig}. */
export function createSqsClient(region: string, endpoint: string | undefined, alwaysLocal = false): SQSClient {
  return new SQSClient(clientConfig(region, endpoint, alwaysLocal));
}
