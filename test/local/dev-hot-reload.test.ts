/**
 * `sluice dev --watch` hot reload end to end, on a copy of a small CDK app
 * (test/fixtures/hot-reload-app) synthesized from its cdk.json as `cdk synth` does:
 * messages flow while a handler's source is rewritten; a broken edit is reported and the
 * old code keeps running; the fixed edit is re-bundled and only that function reloads;
 * later messages see the new behaviour and the reconciliation shows lost 0. The reloaded
 * function runs with `--inspect`, so its replacing environment opens a debugger endpoint again.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { localClientConfig, runDev } from '../../lib/local/index.ts';
import type { DevSummary, ProvisionedApp, ReloadResult } from '../../lib/local/index.ts';
import { createReporter } from '../../lib/cli/index.ts';
import { REPO_ROOT } from '../helpers/cli-process.ts';
import { waitFor } from '../helpers/wait-for.ts';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk: Buffer, _enc, done) { chunks.push(chunk.toString()); done(); } });
  return { stream, text: () => chunks.join('') };
}

/** A copy of the fixture app whose `node_modules` is the repository's. */
function copyApp(): { root: string; appDir: string } {
  const root = mkdtempSync(join(tmpdir(), 'sluice-hot-reload-'));
  const appDir = join(root, 'app');
  cpSync(join(REPO_ROOT, 'test/fixtures/hot-reload-app'), appDir, { recursive: true });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(appDir, 'node_modules'), 'dir');
  return { root, appDir };
}

describe('sluice dev --watch', () => {
  it('reloads a changed handler while messages flow, keeps the old code on a failed synth, and loses nothing', async () => {
    const { root, appDir } = copyApp();
    const outFile = join(root, 'out.log');
    const summaryJson = join(root, 'summary.json');
    const events = join(root, 'events.jsonl');
    const lines = (): string[] => (existsSync(outFile) ? readFileSync(outFile, 'utf8').trim().split('\n') : []);
    const seqs = Array.from({ length: 30 }, (_, i) => i + 1);
    writeFileSync(events, [
      ...seqs.map((seq) => JSON.stringify({ to: 'GreeterQueue', message: { seq } })),
      ...[1, 2, 3].map((seq) => JSON.stringify({ to: 'AuditQueue', message: { seq } })),
    ].join('\n'));
    const out = capture();
    const err = capture();
    const stop = new AbortController();
    const reloads: ReloadResult[] = [];
    let app: ProvisionedApp | undefined;
    const run = runDev({
      appDir, events: [events], context: { outFile }, watch: true, logDir: false, summaryJson, drainTimeoutMs: 240_000, signal: stop.signal,
      // Greeter runs with a debugger endpoint: its one environment is replaced on reload, and opens it again.
      inspect: { port: 0, function: 'greeter' },
      reporter: createReporter({ out: out.stream, err: err.stream, tty: false, plainIntervalMs: 1000 }),
      onReady: (provisioned) => { app = provisioned; },
      onReload: (result) => reloads.push(result),
    });
    const greeter = join(appDir, 'src/greeter.ts');
    const v1 = readFileSync(greeter, 'utf8');
    // v1 processes 20 of the 30 and keeps failing every third (retried, not deleted).
    await waitFor(() => lines().filter((l) => l.startsWith('v1 ')).length === 20, 120_000, 'v1 to process 20 messages');
    expect(out.text()).toMatch(/Hot reload: watching .*app \(include bin\/\*\* src\/\*\*/);

    writeFileSync(greeter, v1.replace("const VERSION = 'v1';", "const VERSION = 'v1' +;"));
    await waitFor(() => reloads.length === 1, 120_000, 'the failed reload');
    expect(reloads[0]).toMatchObject({ files: ['src/greeter.ts'], reloaded: [], error: expect.stringMatching(/cdk synth of .* failed/) });
    expect(err.text()).toMatch(/Reload failed in [\d.]+ s, still running the previous code: cdk synth of/);

    writeFileSync(greeter, v1.replace("const VERSION = 'v1';", "const VERSION = 'v2';"));
    await waitFor(() => reloads.length === 2, 120_000, 'the reload of the fix');
    expect(reloads[1]).toMatchObject({ files: ['src/greeter.ts'], reloaded: [{ name: 'Greeter', reasons: ['asset changed'] }], unchanged: 1, restartNeeded: [] });
    expect(reloads[1]!.error).toBeUndefined();
    expect(out.text()).toMatch(/Reloaded in [\d.]+ s: Greeter \(asset changed\), 1 unchanged/);
    await waitFor(() => out.text().match(/Debugger: Greeter listens on ws:\/\/127\.0\.0\.1:\d+\//g)?.length === 2, 30_000, 'the inspector of the new environment');

    await waitFor(() => out.text().includes('Watching: SNS/SQS endpoint'), 240_000, 'the drain and summary');
    const summary = JSON.parse(readFileSync(summaryJson, 'utf8')) as DevSummary;
    expect(summary).toMatchObject({ published: 33, lost: 0, drained: true, deadLettered: 0 });
    expect(summary.functions.Greeter).toMatchObject({ routed: 30, succeeded: 30, deadLettered: 0, lost: 0 });
    expect(summary.functions.Greeter!.retried).toBeGreaterThanOrEqual(10);
    expect(summary.functions.Audit).toMatchObject({ routed: 3, succeeded: 3, lost: 0 });
    // Every message processed exactly once; the ten v1 failed were processed by v2.
    const greeted = lines().filter((l) => !l.startsWith('audit '));
    expect(greeted.sort()).toEqual(seqs.map((seq) => `${seq % 3 === 0 ? 'v2' : 'v1'} ${seq}`).sort());

    // In watch mode, later traffic from any SDK client runs the new code.
    const sqs = new SQSClient(localClientConfig(app!));
    const queueUrl = app!.queues.find((q) => q.model.path === 'GreeterQueue')!.url;
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [31, 33].map((seq) => ({ Id: `m${seq}`, MessageBody: JSON.stringify({ seq }) })) }));
    await waitFor(() => lines().includes('v2 31') && lines().includes('v2 33'), 30_000, 'v2 to process the later messages');
    sqs.destroy();

    stop.abort();
    expect(await run).toBe(0);
    rmSync(root, { recursive: true, force: true }); // the node_modules link goes, not what it points to
  }, 480_000);
});
