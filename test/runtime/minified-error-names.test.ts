/**
 * Error names survive bundling: a handler bundled and minified by esbuild (as
 * `QueueConsumer` and `cdk deploy` do) logs `"errorName":"ValidationError"`, not the
 * minified class name. Sluice's classes set their `name` as a literal; a user subclass
 * keeps the name it sets, and one that sets none inherits its Sluice parent's.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import * as runtime from '../../lambda/runtime/index.ts';
import type { SqsBatchResponse, SqsEvent } from '../../lambda/runtime/index.ts';
import { lambdaContext, sqsEvent } from '../../lambda/runtime/testing.ts';
import { captureOutput } from './helpers.ts';

const RUNTIME_ENTRY = fileURLToPath(new URL('../../lambda/runtime/index.ts', import.meta.url));

/** Every error class the runtime exports, by export name. */
const ERROR_CLASSES = (Object.entries(runtime) as [string, unknown][]).filter(
  (entry): entry is [string, new (...args: never[]) => Error] => typeof entry[1] === 'function' && entry[1].prototype instanceof Error,
);

/** A user's handler module: Sluice's errors, and subclasses that set their name each way or not at all. */
const HANDLER_SOURCE = `
import { PermanentError, sqsHandler, TransientError } from ${JSON.stringify(RUNTIME_ENTRY)};
export * from ${JSON.stringify(RUNTIME_ENTRY)};

export class PaymentDeclinedError extends PermanentError {
  override name = 'PaymentDeclinedError';
}
export class AssignedNameError extends PermanentError {
  constructor(message: string) {
    super(message);
    this.name = 'AssignedNameError';
  }
}
export class UnnamedError extends PermanentError {}

export const handler = sqsHandler({
  async handle(m: { kind: string }) {
    if (m.kind === 'declined') throw new PaymentDeclinedError('card declined');
    if (m.kind === 'assigned') throw new AssignedNameError('assigned');
    if (m.kind === 'unnamed') throw new UnnamedError('unnamed');
    if (m.kind === 'transient') throw new TransientError('downstream 503', { cause: new PaymentDeclinedError('inner') });
  },
});
`;

type Bundled = Record<string, unknown> & { handler: (event: SqsEvent, context: unknown) => Promise<SqsBatchResponse> };

let dir: string;
let bundled: Bundled;
let bundleText: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-minified-'));
  const entry = join(dir, 'handler.ts');
  writeFileSync(entry, HANDLER_SOURCE);
  const result = await build({
    entryPoints: [entry],
    outfile: join(dir, 'handler.mjs'),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'node',
    target: 'node24',
    external: ['@aws-sdk/*'],
    write: false,
    logLevel: 'silent',
  });
  bundleText = result.outputFiles[0]!.text;
  writeFileSync(join(dir, 'handler.mjs'), bundleText);
  bundled = (await import(pathToFileURL(join(dir, 'handler.mjs')).href)) as Bundled;
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

/** Invokes the bundled handler and returns its warn lines, parsed, by messageId. */
async function warnLines(records: Parameters<typeof sqsEvent>[0]): Promise<{ raw: string[]; byId: Map<string, Record<string, unknown>> }> {
  vi.stubEnv('SLUICE_LOG_LEVEL', 'info');
  const output = captureOutput();
  try {
    await bundled.handler(sqsEvent(records), lambdaContext());
  } finally {
    output.restore();
  }
  const raw = output.stderr();
  const byId = new Map(raw.map((l) => JSON.parse(l) as Record<string, unknown>).map((l) => [l.messageId as string, l]));
  return { raw, byId };
}

describe('error names in a minified bundle', () => {
  it('is a real minified bundle: the class identifiers are renamed', () => {
    expect(bundleText).not.toMatch(/class ValidationError\b/);
    expect(bundleText).not.toMatch(/class PaymentDeclinedError\b/);
  });

  it('logs "errorName":"ValidationError" for a body that is not JSON', async () => {
    const { raw } = await warnLines([{ messageId: 'bad-json', body: '{' }]);
    expect(raw).toHaveLength(1);
    expect(raw[0]).toContain('"errorName":"ValidationError"');
    expect(raw[0]).toContain('"errorCode":"VALIDATION"');
  });

  it("keeps the name a user's subclass sets, as a field or in its constructor, and in the cause chain", async () => {
    const { byId } = await warnLines([
      { messageId: 'declined', body: { kind: 'declined' } },
      { messageId: 'assigned', body: { kind: 'assigned' } },
      { messageId: 'transient', body: { kind: 'transient' } },
    ]);
    expect(byId.get('declined')).toMatchObject({ errorName: 'PaymentDeclinedError', errorCode: 'PERMANENT' });
    expect(byId.get('assigned')).toMatchObject({ errorName: 'AssignedNameError', errorCode: 'PERMANENT' });
    expect(byId.get('transient')).toMatchObject({
      errorName: 'TransientError',
      errorCode: 'TRANSIENT',
      causes: [{ name: 'PaymentDeclinedError', code: 'PERMANENT' }],
    });
  });

  it('gives a user subclass that sets no name the name of its Sluice parent, never a minified one', async () => {
    const { byId } = await warnLines([{ messageId: 'unnamed', body: { kind: 'unnamed' } }]);
    expect(byId.get('unnamed')).toMatchObject({ errorName: 'PermanentError', errorCode: 'PERMANENT' });
  });

  it.each(ERROR_CLASSES.map(([name]) => name))('names a bundled %s by its real class name', (name) => {
    const Bundled = bundled[name] as new (...args: unknown[]) => Error;
    expect(typeof Bundled).toBe('function');
    const error = name === 'ConfigError' ? new Bundled(['x: received 1; allowed: 2']) : new Bundled('message');
    expect(error.name).toBe(name);
  });
});

describe('error names without bundling', () => {
  it('exports at least the nine Sluice error classes', () => {
    expect(ERROR_CLASSES.map(([name]) => name).sort()).toEqual([
      'CircuitOpenError', 'ConfigError', 'DeadlineError', 'EnvelopeError', 'InvalidEventError',
      'PermanentError', 'SluiceError', 'TransientError', 'ValidationError',
    ]);
  });

  it.each(ERROR_CLASSES)('names %s by its class name', (name, ErrorClass) => {
    const error = name === 'SluiceError'
      ? new (ErrorClass as unknown as typeof runtime.SluiceError)('CODE', 'message')
      : name === 'ConfigError'
        ? new (ErrorClass as unknown as typeof runtime.ConfigError)(['x'])
        : new (ErrorClass as unknown as new (m: string) => Error)('message');
    expect(error.name).toBe(name);
    expect(error.name).toBe(ErrorClass.name);
  });
});
