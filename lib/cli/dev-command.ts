/**
 * `sluice dev`: a CDK app's whole pipeline offline; delegates to `runDev`.
 */
import { DEV_DEFAULTS as D, runDev } from '../local/index.ts';
import { createReporter } from './progress-reporter.ts';
import { UsageError, contextFlags, intFlag, listFlag, numberFlag, stringFlag } from './args.ts';
import type { CommandSpec } from './args.ts';

/** `sluice dev [flags]`. */
export const devCommand: CommandSpec = {
  name: 'dev',
  summary: "Run a CDK app offline: synth, embedded SNS/SQS, Lambda emulation, your events, summary",
  usage: 'sluice dev [--events <file>]... [flags]',
  flags: {
    events: { type: 'string', value: 'file', multiple: true, description: 'JSON Lines of messages: {"to", "message", "attributes"?, "groupId"?, "deduplicationId"?, "subject"?, "repeat"?}' },
    'app-dir': { type: 'string', value: 'dir', description: 'Directory of the CDK app (its cdk.json)', default: 'the current directory' },
    context: { type: 'string', value: 'key=value', multiple: true, short: 'c', description: 'Context for the app, as cdk synth -c' },
    port: { type: 'string', value: 'port', description: 'Port of the embedded SNS/SQS server on 127.0.0.1 (0 = any free)', default: String(D.port) },
    rate: { type: 'string', value: 'per-second', description: 'Messages published per second at most (0 = unlimited)', default: String(D.publishRate) },
    'publish-concurrency': { type: 'string', value: 'n', description: 'Publish calls in flight at most', default: String(D.publishConcurrency) },
    'visibility-scale': { type: 'string', value: 'factor', description: 'Factor on every visibility timeout (time compression; 1 = as templated)', default: String(D.visibilityScale) },
    'drain-timeout-seconds': { type: 'string', value: 's', description: 'Longest wait for the queues to drain', default: String(D.drainTimeoutMs / 1000) },
    watch: { type: 'boolean', description: "Keep serving after the summary and print the endpoint (until Ctrl-C); hot-reload functions whose source changes (files as cdk.json's watch.include/exclude choose)" },
    inspect: { type: 'string', value: 'port', optionalValue: '9229', description: "Open a debugger port (node:inspector) in one function's execution environment and print its ws:// URL; that function runs one environment, its timeouts not enforced", default: '9229 when given bare' },
    function: { type: 'string', value: 'name', description: 'The function --inspect applies to (required when the app has several)', default: 'the only function' },
    'summary-json': { type: 'string', value: 'file', description: 'Write the summary as JSON to this file', default: 'not written' },
    'log-dir': { type: 'string', value: 'dir', description: "One log file per function ('-' drops function output)", default: String(D.logDir) },
  },
  examples: [
    'sluice dev --events events.jsonl',
    'sluice dev --events signups.jsonl --events orders.jsonl --summary-json summary.json',
    'sluice dev --watch --port 4566   # then: aws --endpoint-url http://127.0.0.1:4566 sns publish …; edit a handler: it reloads',
    'sluice dev --watch --inspect --function RegisterUser   # then attach a debugger to 127.0.0.1:9229',
  ],
  async run(values) {
    const drainSeconds = intFlag(values, 'drain-timeout-seconds', 1, 3600);
    const logDir = stringFlag(values, 'log-dir');
    const inspectPort = intFlag(values, 'inspect', 0, 65_535);
    const fn = stringFlag(values, 'function');
    if (fn !== undefined && inspectPort === undefined) throw new UsageError('--function applies to --inspect; received --function without --inspect');
    return runDev({
      reporter: createReporter(),
      appDir: stringFlag(values, 'app-dir'),
      events: listFlag(values, 'events'),
      context: contextFlags(listFlag(values, 'context')),
      port: intFlag(values, 'port', 0, 65_535),
      publishRate: numberFlag(values, 'rate', 0, 1_000_000),
      publishConcurrency: intFlag(values, 'publish-concurrency', 1, 1000),
      visibilityScale: numberFlag(values, 'visibility-scale', 0.001, 1),
      drainTimeoutMs: drainSeconds === undefined ? undefined : drainSeconds * 1000,
      watch: values['watch'] === true,
      summaryJson: stringFlag(values, 'summary-json'),
      logDir: logDir === '-' ? false : logDir,
      inspect: inspectPort === undefined ? undefined : { port: inspectPort, ...(fn !== undefined ? { function: fn } : {}) },
    });
  },
};
