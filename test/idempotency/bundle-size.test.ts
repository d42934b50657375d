/**
 * Idempotency stays out of handlers that do not use it: a plain `sqsHandler` bundle (esbuild,
 * as `QueueConsumer` bundles: minified ESM, `@aws-sdk/*` external) holds none of
 * `lambda/idempotency/`, and one that uses it keeps the DynamoDB SDK external and its
 * error names (minifiers rename classes).
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sluice-idempotency-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bundle(source: string): Promise<{ inputs: string[]; code: string }> {
  const entry = join(dir, `entry-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(entry, source);
  const result = await build({
    absWorkingDir: ROOT, entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'node', target: 'node24',
    mainFields: ['module', 'main'], external: ['@aws-sdk/*'], metafile: true, write: false, logLevel: 'silent',
  });
  const output = Object.values(result.metafile.outputs)[0]!;
  return { inputs: Object.keys(output.inputs), code: result.outputFiles[0]!.text };
}

const RUNTIME = JSON.stringify(join(ROOT, 'lambda/runtime/index.ts'));
const IDEMPOTENCY = JSON.stringify(join(ROOT, 'lambda/idempotency/index.ts'));

describe('bundles', () => {
  it('a handler without idempotency carries none of its code', async () => {
    const { inputs, code } = await bundle(`import { sqsHandler } from ${RUNTIME};\nexport const handler = sqsHandler({ async handle() {} });`);
    expect(inputs.filter((i) => i.includes('lambda/idempotency/'))).toEqual([]);
    expect(code).not.toContain('IdempotencyInProgressError');
    expect(code).not.toContain('client-dynamodb');
  });

  it('a handler with dynamoDbStore() imports the DynamoDB SDK lazily, from outside the bundle', async () => {
    const { inputs, code } = await bundle(
      `import { sqsHandler } from ${RUNTIME};\nimport { dynamoDbStore } from ${IDEMPOTENCY};\nexport const handler = sqsHandler({ idempotency: { store: dynamoDbStore() }, async handle() {} });`,
    );
    expect(inputs.some((i) => i.includes('lambda/idempotency/dynamodb-store.ts'))).toBe(true);
    expect(inputs.some((i) => i.includes('node_modules/@aws-sdk/'))).toBe(false);
    expect(code).toMatch(/import\("@aws-sdk\/client-dynamodb"\)/);
    expect(code).toContain('IdempotencyInProgressError');
  });

  it('keeps the idempotency error names and codes in a minified bundle', async () => {
    const { code } = await bundle(`export * from ${IDEMPOTENCY};`);
    const file = join(dir, 'errors.mjs');
    writeFileSync(file, code);
    const mod = (await import(pathToFileURL(file).href)) as Record<string, new (message: string) => Error & { code: string }>;
    expect(new mod.IdempotencyInProgressError!('x')).toMatchObject({ name: 'IdempotencyInProgressError', code: 'IDEMPOTENCY_IN_PROGRESS' });
    expect(new mod.IdempotencyStoreError!('x')).toMatchObject({ name: 'IdempotencyStoreError', code: 'IDEMPOTENCY_STORE' });
  });
});
