/**
 * Cold start: bundles each handler with esbuild the way `QueueConsumer` does (minified
 * ESM for node24, `@aws-sdk/*` external), then measures fresh `node` processes that
 * import the bundle and invoke it once on a 10-record event.
 */
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { createLocalTables, startEmbeddedDynamoDb } from '../lib/local/index.ts';
import { buildInput, checkFailures } from './fixtures.ts';
import { median } from './measure.ts';

const ROOT = new URL('..', import.meta.url).pathname;
/** Gitignored scratch space inside the repo, so externals would still resolve. */
const OUT = join(ROOT, '.sluice', 'bench');

/** One handler to bundle. */
export interface ColdEntry {
  readonly name: string;
  readonly entry: string;
  /**
   * `user`: the 10 `UserRegistered` records (1 poison by schema), each valid one POSTed to
   * the loopback server; `plain`: the same records with the poison's `Message` not JSON,
   * no schema and no I/O.
   */
  readonly kind: 'user' | 'plain';
}

export const COLD_ENTRIES: readonly ColdEntry[] = [
  { name: 'Sluice `register-user`', entry: 'lib/example/handlers/register-user.ts', kind: 'user' },
  { name: 'bare handler (zod/mini)', entry: 'bench/cold/bare.ts', kind: 'user' },
  { name: 'middy + sqs-partial-batch-failure (zod/mini)', entry: 'bench/cold/middy.ts', kind: 'user' },
  { name: 'Powertools batch (zod/mini)', entry: 'bench/cold/powertools-batch.ts', kind: 'user' },
  { name: 'Powertools batch + parser (zod)', entry: 'bench/cold/powertools-parser.ts', kind: 'user' },
  { name: 'Sluice, no schema, no I/O (defaults, plain handler)', entry: 'bench/cold/sluice-plain.ts', kind: 'plain' },
  { name: 'Sluice, no schema, no I/O, logger: false (informational: no log line, as the peers)', entry: 'bench/cold/sluice-plain-silent.ts', kind: 'plain' },
  { name: 'bare handler, no schema, no I/O', entry: 'bench/cold/bare-plain.ts', kind: 'plain' },
  { name: 'middy 7 + sqs-partial-batch-failure, no schema, no I/O', entry: 'bench/cold/middy-plain.ts', kind: 'plain' },
  { name: 'Powertools batch, no schema, no I/O', entry: 'bench/cold/powertools-plain.ts', kind: 'plain' },
];

/** A bundle and where its bytes come from. */
export interface BundleInfo {
  readonly entry: ColdEntry;
  readonly file: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Bytes in the output by origin: `lambda/runtime/`, a package name, or `other`. */
  readonly shares: ReadonlyMap<string, number>;
}

function originOf(input: string): string {
  if (input.startsWith('lambda/runtime/')) return 'lambda/runtime/';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  return m ? m[1]! : 'other';
}

export async function bundle(entry: ColdEntry): Promise<BundleInfo> {
  const file = join(OUT, `${entry.entry.replaceAll('/', '_').replace(/\.ts$/, '')}.mjs`);
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [entry.entry],
    outfile: file,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*'],
    metafile: true,
    logLevel: 'error',
  });
  const meta: Metafile = result.metafile;
  const output = Object.values(meta.outputs)[0]!;
  const shares = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const origin = originOf(input);
    shares.set(origin, (shares.get(origin) ?? 0) + bytesInOutput);
  }
  const code = readFileSync(file);
  return { entry, file, bytes: code.length, gzipBytes: gzipSync(code).length, shares };
}

/** One fresh process's figures, in milliseconds. */
export interface ColdSample {
  readonly importMs: number;
  readonly invokeMs: number;
  readonly processMs: number;
}

/** Medians over the samples of one bundle. */
export interface ColdSummary {
  readonly bundle: BundleInfo;
  readonly runs: number;
  /** Every sample, in round order (rounds are interleaved across bundles). */
  readonly samples: readonly ColdSample[];
  readonly importMs: number;
  readonly invokeMs: number;
  readonly totalMs: number;
  /** Smallest and largest import + invoke, ms. */
  readonly totalMinMs: number;
  readonly totalMaxMs: number;
  readonly processMs: number;
}

function runChild(bundleFile: string, eventFile: string, env: NodeJS.ProcessEnv): Promise<{ sample: ColdSample; response: unknown }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bench/cold/child.mjs'), bundleFile, eventFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const processMs = performance.now() - t0;
      const line = out.split('\n').find((l) => l.startsWith('@@bench '));
      if (code !== 0 || line === undefined) {
        reject(new Error(`cold-start child for ${bundleFile} exited ${code}: ${err.slice(0, 500)}`));
        return;
      }
      const r = JSON.parse(line.slice('@@bench '.length)) as { importMs: number; invokeMs: number; response: unknown };
      resolve({ sample: { importMs: r.importMs, invokeMs: r.invokeMs, processMs }, response: r.response });
    });
  });
}

/** Bundles every entry (minified ESM, `@aws-sdk/*` external) with a metafile. */
export async function bundleAll(entries: readonly ColdEntry[] = COLD_ENTRIES): Promise<BundleInfo[]> {
  mkdirSync(OUT, { recursive: true });
  const bundles = [];
  for (const entry of entries) bundles.push(await bundle(entry));
  return bundles;
}

/**
 * Bundles every entry and samples each `runs` times in fresh processes (interleaved,
 * after one warm-up each), with `IDENTITY_API_URL` pointing at a loopback server
 * answering 201, and `register-user`'s idempotency table (a fresh one per sample, so every
 * sample makes its effects) in the embedded DynamoDB on loopback.
 */
export async function measureColdStarts(runs: number, entries: readonly ColdEntry[] = COLD_ENTRIES): Promise<ColdSummary[]> {
  const bundles = await bundleAll(entries);
  const inputs = { user: buildInput(10), plain: buildInput(10, 'json') };
  const eventFiles = { user: join(OUT, 'event-10.json'), plain: join(OUT, 'event-10-plain.json') };
  writeFileSync(eventFiles.user, JSON.stringify(inputs.user.event));
  writeFileSync(eventFiles.plain, JSON.stringify(inputs.plain.event));

  let requests = 0;
  const server = createServer((req, res) => {
    if (req.url === '/users') requests++;
    req.resume();
    req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const dynamoDb = await startEmbeddedDynamoDb();
  let tables = 0;
  const freshTable = async (): Promise<string> => {
    const name = `bench-idempotency-${++tables}`;
    await createLocalTables([{
      stack: 'Bench', logicalId: name, path: name, name,
      keys: [{ name: 'id', keyType: 'HASH' }], attributeTypes: { id: 'S' }, globalSecondaryIndexes: [], localSecondaryIndexes: [],
    }], dynamoDb);
    return name;
  };
  const env = {
    ...process.env, IDENTITY_API_URL: `http://127.0.0.1:${port}`, NODE_OPTIONS: '',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.endpoint, AWS_REGION: dynamoDb.region, AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ACCESS_KEY_ID: 'sluice-bench', AWS_SECRET_ACCESS_KEY: 'sluice-bench',
  };
  try {
    const samples = bundles.map((): ColdSample[] => []);
    for (let r = -1; r < runs; r++) {
      for (let k = 0; k < bundles.length; k++) {
        const j = (k + Math.max(r, 0)) % bundles.length;
        const before = requests;
        const { kind, name } = bundles[j]!.entry;
        const tableEnv = kind === 'user' ? { SLUICE_IDEMPOTENCY_TABLE: await freshTable() } : {};
        const { sample, response } = await runChild(bundles[j]!.file, eventFiles[kind], { ...env, ...tableEnv });
        checkFailures(name, (response as { batchItemFailures?: { itemIdentifier: string }[] }).batchItemFailures, inputs[kind].poison);
        const posts = kind === 'user' ? 9 : 0;
        if (requests - before !== posts) throw new Error(`${name}: expected ${posts} POSTs, server saw ${requests - before}`);
        if (r >= 0) samples[j]!.push(sample);
      }
    }
    return bundles.map((b, j) => {
      const s = samples[j]!;
      const totals = s.map((x) => x.importMs + x.invokeMs);
      return {
        bundle: b,
        runs: s.length,
        samples: s,
        importMs: median(s.map((x) => x.importMs)),
        invokeMs: median(s.map((x) => x.invokeMs)),
        totalMs: median(totals),
        totalMinMs: Math.min(...totals),
        totalMaxMs: Math.max(...totals),
        processMs: median(s.map((x) => x.processMs)),
      };
    });
  } finally {
    server.close();
    await dynamoDb.stop();
  }
}
