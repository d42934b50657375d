// Cold-start probe, run in a fresh `node` per sample: imports one bundle, invokes its
// handler once on the event file, prints one `@@bench` JSON line. Plain .mjs so the
// probe itself needs no type stripping.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const deadline = Date.now() + 30_000;
const context = {
  functionName: 'sluice-bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => deadline - Date.now(),
};
// The Lambda Node.js runtime's own client has loaded node:http before it imports any
// handler (RAPIDClient: `this.http = httpClient || require('http')`); a bare process
// would charge its ~30 ms load to whichever handler uses it first. Loaded the same way, with
// `require`: `import('node:http')` builds an ES module namespace that reads every export,
// which loads undici, node:assert and with them `process.stderr`, none of which the
// runtime's `require` does (a handler's first stderr line would then look ~0.35 ms cheaper).
createRequire(import.meta.url)('node:http');
const start = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const imported = performance.now();
const response = await mod.handler(event, context);
const invoked = performance.now();
process.stdout.write(`@@bench ${JSON.stringify({ startMs: start, importMs: imported - start, invokeMs: invoked - imported, response })}\n`);
process.exit(0);
