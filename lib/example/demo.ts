#!/usr/bin/env node
/**
 * `npm start`: the example's demo. Starts the example's identity-provider fake, writes
 * the demo traffic as an events file, and runs the same `sluice dev` a user runs on this
 * app (`sluice dev --events <file> -c identityApiUrl=<fake>`), then prints what the fake
 * saw. Flags it does not know go to `sluice dev` (e.g. `--summary-json s.json`).
 *
 *   npm start -- --users 500 --orders 50 --poison 9 --duplicates 5 --failure-rate 0.1 --latency-ms 2
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { planDemoEvents, writeEventsFile } from './demo-traffic.ts';
import { startIdentityProvider } from './identity-provider.ts';
import { EXAMPLE } from './sluice-example-stack.ts';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SLUICE_BIN = join(REPO_ROOT, 'bin', 'sluice.ts');

const DEMO_FLAGS = {
  users: { type: 'string', default: '3000' },
  orders: { type: 'string', default: '300' },
  poison: { type: 'string', default: '30' },
  duplicates: { type: 'string', default: '30' },
  'failure-rate': { type: 'string', default: '0.05' },
  'latency-ms': { type: 'string', default: '5' },
} as const;

function count(name: string, raw: string, max: number): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > max) throw new Error(`--${name}: received ${JSON.stringify(raw)}; allowed: 0 to ${max}`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  const { values, tokens } = parseArgs({ args: argv, options: DEMO_FLAGS, strict: false, tokens: true, allowPositionals: true });
  const demoNames = new Set(Object.keys(DEMO_FLAGS));
  const rest: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'option' && demoNames.has(t.name)) continue;
    if (t.kind === 'option') rest.push(t.rawName, ...(t.value !== undefined ? [t.value] : []));
    else if (t.kind === 'positional') rest.push(t.value);
  }
  const sizes = {
    users: Math.floor(count('users', String(values.users), 1_000_000)),
    orders: Math.floor(count('orders', String(values.orders), 1_000_000)),
    poison: Math.floor(count('poison', String(values.poison), 1_000_000)),
    duplicates: Math.floor(count('duplicates', String(values.duplicates), 1_000_000)),
  };
  const transientFailureRate = count('failure-rate', String(values['failure-rate']), 1);
  const latencyMs = count('latency-ms', String(values['latency-ms']), 60_000);
  const dir = join(REPO_ROOT, '.sluice');
  mkdirSync(dir, { recursive: true });
  const eventsFile = join(dir, 'demo-events.jsonl');
  writeEventsFile(eventsFile, planDemoEvents(sizes));
  const idp = await startIdentityProvider({ latencyMs, transientFailureRate });
  console.log(`Identity provider (the example's fake): ${idp.url} (latency ${latencyMs} ms, ${Math.round(transientFailureRate * 100)}% 503s, @reject.invalid → 400)`);
  console.log(`Demo traffic: ${sizes.users} sign-ups (${sizes.duplicates} of them published twice) + ${sizes.poison} poison to UserEvents, ${sizes.orders} orders × 3 steps to Orders → ${eventsFile}`);
  try {
    const args = [SLUICE_BIN, 'dev', '--app-dir', REPO_ROOT, '--events', eventsFile, '-c', `${EXAMPLE.identityApiUrlContextKey}=${idp.url}`, ...rest];
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, args, { stdio: 'inherit' });
      const forward = (signal: NodeJS.Signals): void => { child.kill(signal); };
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
    });
    console.log(`Identity provider: ${idp.stats.created} created, ${idp.stats.conflicts} conflicts (409), ${idp.stats.transientFailures} injected 503s, ${idp.stats.rejected} rejected (400)`);
    return code;
  } finally {
    await idp.stop();
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 2;
});
