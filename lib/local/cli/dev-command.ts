/**
 * `sluice dev` (`npm start`): the whole pipeline offline; delegates to `runDev`.
 */
import { DEV_DEFAULTS as D, runDev } from '../dev.ts';
import { UsageError, intFlag, numberFlag, stringFlag } from './args.ts';
import type { CommandSpec } from './args.ts';

/** `sluice dev [flags]`. */
export const devCommand: CommandSpec = {
  name: 'dev',
  summary: 'Run the example app offline: embedded SNS/SQS, Lambda emulation, demo traffic, summary',
  usage: 'sluice dev [flags]',
  flags: {
    port: { type: 'string', value: 'port', description: 'Port of the embedded SNS/SQS server on 127.0.0.1 (0 = any free)', default: String(D.port) },
    users: { type: 'string', value: 'n', description: 'User sign-ups to publish', default: String(D.users) },
    orders: { type: 'string', value: 'n', description: 'Orders to publish to the FIFO topic (3 ordered steps each)', default: String(D.orders) },
    poison: { type: 'string', value: 'n', description: 'Poison sign-ups (bad JSON, schema violations, rejected inputs)', default: String(D.poison) },
    rate: { type: 'string', value: 'per-second', description: 'Messages published per second at most (0 = unlimited)', default: String(D.publishRate) },
    'publish-concurrency': { type: 'string', value: 'n', description: 'Publish calls in flight at most', default: String(D.publishConcurrency) },
    'failure-rate': { type: 'string', value: '0..1', description: 'Share of identity-provider calls answered 503', default: String(D.transientFailureRate) },
    'latency-ms': { type: 'string', value: 'ms', description: 'Identity-provider latency per call', default: String(D.latencyMs) },
    'visibility-scale': { type: 'string', value: 'factor', description: 'Factor on every visibility timeout (time compression; 1 = as templated)', default: String(D.visibilityScale) },
    'drain-timeout-seconds': { type: 'string', value: 's', description: 'Longest wait for the queues to drain', default: String(D.drainTimeoutMs / 1000) },
    watch: { type: 'boolean', description: 'Keep serving after the summary and print the endpoint (until Ctrl-C)' },
    'summary-json': { type: 'string', value: 'file', description: 'Write the summary as JSON to this file', default: 'not written' },
    'log-dir': { type: 'string', value: 'dir', description: "One log file per function ('-' drops function output)", default: String(D.logDir) },
  },
  examples: ['sluice dev', 'sluice dev --users 200 --orders 20 --failure-rate 0.2 --summary-json summary.json', 'sluice dev --watch --port 4566'],
  async run(values, positionals) {
    if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const drainSeconds = intFlag(values, 'drain-timeout-seconds', 1, 3600);
    const logDir = stringFlag(values, 'log-dir');
    return runDev({
      port: intFlag(values, 'port', 0, 65_535),
      users: intFlag(values, 'users', 0, 1_000_000),
      orders: intFlag(values, 'orders', 0, 1_000_000),
      poison: intFlag(values, 'poison', 0, 1_000_000),
      publishRate: numberFlag(values, 'rate', 0, 1_000_000),
      publishConcurrency: intFlag(values, 'publish-concurrency', 1, 1000),
      transientFailureRate: numberFlag(values, 'failure-rate', 0, 1),
      latencyMs: intFlag(values, 'latency-ms', 0, 60_000),
      visibilityScale: numberFlag(values, 'visibility-scale', 0.001, 1),
      drainTimeoutMs: drainSeconds === undefined ? undefined : drainSeconds * 1000,
      watch: values['watch'] === true,
      summaryJson: stringFlag(values, 'summary-json'),
      logDir: logDir === '-' ? false : logDir,
    });
  },
};
