import { LambdaInvoker } from './lib/local/emulator/index.ts';
const lines: string[] = [];
const inv = new LambdaInvoker({ fn: { name: 'x', arn: 'arn', assetDir: '/tmp/exp/h', handler: 'index.handler', timeoutSeconds: 5, memoryMiB: 128, environment: {} }, region: 'us-east-1', endpoint: 'http://127.0.0.1:9', onLog: (l) => lines.push(l) });
const r = await inv.invoke({ Records: [] });
await inv.close();
console.log(r.outcome.status, lines.length);
