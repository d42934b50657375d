/**
 * Every corpus case through `sqsHandler` and `processBatch`, with `logFailures: 'detailed'`
 * and `'codes'`: the exact outcome and error class, no other record affected, and never a
 * log line containing a body or attribute value, or a fragment of one.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as runtime from '../../lambda/runtime/index.ts';
import { processBatch, sqsHandler } from '../../lambda/runtime/index.ts';
import type { LogFailures, SluiceLogger } from '../../lambda/runtime/index.ts';
import { lambdaContext } from '../../lambda/runtime/testing.ts';
import { caseOptions, caseRecords, corpusHandle, loadCorpus, SECRET_MARKER } from './load-corpus.ts';
import type { CorpusCase } from './load-corpus.ts';

const corpus = loadCorpus();
const MODES: readonly LogFailures[] = ['detailed', 'codes'];
/** A fragment this long of a body or attribute value may not appear in any log line. */
const FRAGMENT = 6;
let lines: string[] = [];

function capturingLogger(): SluiceLogger {
  const log = (message: string, fields?: Record<string, unknown>): void => {
    lines.push(JSON.stringify({ message, ...fields }));
  };
  return { debug: log, info: log, warn: log, error: log };
}

/** Envelope fields whose values SNS fixes (`Notification`, `…/SimpleNotificationService-….pem`). */
const SNS_PROTOCOL_KEYS = new Set(['Type', 'SignatureVersion', 'SigningCertURL', 'UnsubscribeURL', 'SubscribeURL']);

/**
 * The values of a body, and its object keys. For JSON: its string leaves (a leaf that is
 * itself JSON, such as an SNS `Message`, is opened in turn), except the SNS envelope's
 * protocol fields, whose values are AWS constants. Otherwise: the words of the text, split
 * at JSON punctuation and white space (a window across `", "` says nothing about a value).
 */
function valuesOf(text: string, values: string[], keys: string[]): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    values.push(...text.split(/[\s{}[\]":,]+/));
    return;
  }
  const stack: unknown[] = [parsed]; // iterative: corpus bodies nest 100,000 deep
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (/^\s*[{[]/.test(v)) valuesOf(v, values, keys);
      else values.push(v);
    } else if (typeof v === 'object' && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        keys.push(key);
        if (!SNS_PROTOCOL_KEYS.has(key)) stack.push(child);
      }
    }
  }
}

/**
 * What no log line may contain: every `FRAGMENT`-character window of each body value and
 * message attribute value (string, binary, lists) of every record of the case, and every
 * run of six or more digits in a body (numbers that `JSON.parse` would have rewritten).
 * A window that is part of an object key is left out: validation issue paths name keys
 * on purpose (`registeredAt: invalid_type` is not a leak of `UserRegistered`).
 */
function forbiddenFragments(records: unknown): string[] {
  const values: string[] = [];
  const keys: string[] = [];
  const raw: string[] = [];
  for (const record of Array.isArray(records) ? records : []) {
    if (typeof record !== 'object' || record === null) continue;
    const { body, messageAttributes } = record as { body?: unknown; messageAttributes?: unknown };
    if (typeof body === 'string') {
      raw.push(body);
      valuesOf(body, values, keys);
    }
    for (const attribute of Object.values(typeof messageAttributes === 'object' && messageAttributes !== null ? messageAttributes : {})) {
      if (typeof attribute !== 'object' || attribute === null) continue;
      for (const [key, value] of Object.entries(attribute as Record<string, unknown>)) {
        if (key === 'dataType') continue;
        for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string') values.push(v);
      }
    }
  }
  const keyText = keys.join('\n');
  const fragments = new Set<string>();
  for (const value of values) {
    for (let i = 0; i + FRAGMENT <= value.length; i++) {
      const fragment = value.slice(i, i + FRAGMENT);
      if (!keyText.includes(fragment)) fragments.add(fragment);
    }
  }
  for (const text of raw) for (const digits of text.match(/\d{6,}/g) ?? []) fragments.add(digits);
  return [...fragments];
}

/** The fragments that some captured line contains, as is or JSON-escaped. */
function leakedFragments(records: unknown): string[] {
  const text = lines.join('\n');
  return forbiddenFragments(records).filter((f) => text.includes(f) || text.includes(JSON.stringify(f).slice(1, -1)));
}

beforeEach(() => {
  lines = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  for (const line of lines) expect(line).not.toContain(SECRET_MARKER);
});

const eventCases = corpus.filter((c) => c.level === 'event');
const recordCases = corpus.filter((c) => c.level === 'record');
const withModes = (cases: CorpusCase[]): [string, LogFailures, CorpusCase][] =>
  cases.flatMap((c) => MODES.map((mode): [string, LogFailures, CorpusCase] => [c.file, mode, c]));

describe('bad-input corpus', () => {
  it('has at least 40 cases', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
  });

  it('finds a leaked fragment: the check itself works', () => {
    const records = [{ body: JSON.stringify({ email: 'kT4-unique@example.com' }) }, { body: 'Zx-plain text 12345678', messageAttributes: { a: { stringValue: 'Qa-attr-value', dataType: 'String' } } }];
    lines = ['{"errorMessage":"rejected kT4-uni"}'];
    expect(leakedFragments(records)).toContain('kT4-un');
    lines = ['{"n":12345678}', '{"m":"Zx-plain"}', '{"a":"Qa-attr"}'];
    expect(leakedFragments(records)).toEqual(expect.arrayContaining(['12345678', 'Zx-pla', 'x-plai', '-plain', 'Qa-att']));
    lines = ['{"issues":["email: invalid_format"],"messageId":"bad"}'];
    expect(leakedFragments(records)).toEqual([]);
    lines = [];
  });

  it.each(withModes(eventCases))('%s (logFailures: %s)', async (_file, mode, c) => {
    const handler = sqsHandler({ handle: corpusHandle, logger: capturingLogger(), logFailures: mode });
    const invocation = handler(c.event as never, lambdaContext());
    if (c.expect.rejects) {
      const ErrorClass = runtime[c.expect.rejects as keyof typeof runtime] as unknown as new () => Error;
      await expect(invocation).rejects.toBeInstanceOf(ErrorClass);
    } else {
      await expect(invocation).resolves.toEqual({ batchItemFailures: c.expect.batchItemFailures });
    }
    expect(leakedFragments((c.event as { Records?: unknown } | null)?.Records)).toEqual([]);
  });

  it.each(withModes(recordCases))('%s (logFailures: %s)', async (_file, mode, c) => {
    const records = caseRecords(c);
    const options = { ...caseOptions(c), logger: capturingLogger(), metrics: runtime.emfMetrics({ namespace: 'Corpus' }), logFailures: mode };
    const result = await processBatch(records, corpusHandle, options, lambdaContext());
    const bad = result.outcomes[1]!;
    expect(bad.status).toBe(c.expect.status);
    if (c.expect.errorClass) {
      const ErrorClass = (runtime[c.expect.errorClass as keyof typeof runtime] ?? globalThis[c.expect.errorClass as 'Error'] ?? Error) as unknown as new () => Error;
      expect(bad.error).toBeInstanceOf(ErrorClass);
    }
    if (c.expect.errorCode) expect((bad.error as { code?: string }).code).toBe(c.expect.errorCode);
    expect([result.outcomes[0]!.status, result.outcomes[2]!.status]).toEqual(['succeeded', 'succeeded']);

    const response = await sqsHandler({ handle: corpusHandle, ...options })({ Records: caseRecords(c) }, lambdaContext());
    const reported = c.expect.status === 'failed' || c.expect.status === 'skipped';
    expect(response).toEqual({ batchItemFailures: reported ? [{ itemIdentifier: 'bad' }] : [] });
    if (c.checkPrototype) expect(({} as { polluted?: unknown }).polluted).toBeUndefined();

    if (reported) expect(lines.filter((l) => l.includes('"message":"Record failed"'))).toHaveLength(2);
    expect(leakedFragments(records)).toEqual([]);
  });
});
