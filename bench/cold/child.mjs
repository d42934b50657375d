// Cold-start probe, run in a fresh `node` per sample: imports one bundle, invokes its
// handler once on the event file, prints one `@@bench` JSON line. Plain .mjs so the
// probe itself needs no type stripping.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const [bundle, eventFile] = process.argv.slice(2);
const event = JSON.parse(readFileSync(eventFile, 'utf8'));
const deadline = Date.now() + 30_000;
const context = {
  functionName: 'sluice-bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => deadline - Date.now(),
};
// The Lambda Node.js runtime's own client has loaded node:http before it imports any
// handler (RAPIDClient: `this.http = httpClient || require('http')`); a bare process
// would charge its ~30 ms load to whichever handler uses it first.
await import('node:http');
const start = performance.now();
const mod = await import(pathToFileURL(bundle).href);
const imported = performance.now();
const response = await mod.handler(event, context);
const invoked = performance.now();
process.stdout.write(`@@bench ${JSON.stringify({ startMs: start, importMs: imported - start, invokeMs: invoked - imported, response })}\n`);
process.exit(0);
