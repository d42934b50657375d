/**
 * The embedded SNS/SQS server in a child process, for the consume benchmark: the server's
 * CPU then runs on its own thread (the machine has 2 cores), as a real SQS endpoint would,
 * instead of sharing the event loop with the consumer under test.
 *
 * `node bench/sqs-server.ts`: starts the server on 127.0.0.1 (free port), writes one JSON
 * line `{ "endpoint", "region" }` to stdout, and stops when stdin closes or on SIGTERM.
 * `startServerProcess()` spawns it and resolves with the endpoint.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startEmbeddedServer } from '../lib/local/index.ts';
import { assertLoopbackUrl } from '../lib/sqs/index.ts';

/** A server running in a child process. */
export interface ServerProcess {
  readonly endpoint: string;
  readonly region: string;
  /** Child's pid (for reporting). */
  readonly pid: number;
  /** CPU time the child used so far, in ms (user + system, from `/proc`; 0 when unavailable). */
  cpuMs(): Promise<number>;
  stop(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

/** Spawns `node bench/sqs-server.ts` with the same Node binary and waits for its endpoint. */
export async function startServerProcess(): Promise<ServerProcess> {
  const child = spawn(process.execPath, [SELF], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const first = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`SQS server process exited with code ${String(code)} before it was ready`)));
    lines.once('line', resolve);
  });
  const { endpoint, region } = JSON.parse(first) as { endpoint: string; region: string };
  assertLoopbackUrl(endpoint);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid ?? 0;
  return {
    endpoint,
    region,
    pid,
    async cpuMs() {
      try {
        const { readFile } = await import('node:fs/promises');
        const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]?.split(' ') ?? [];
        // utime and stime are fields 14 and 15 of stat (11 and 12 after the command), in clock ticks (100 Hz).
        return (Number(fields[11]) + Number(fields[12])) * 10;
      } catch {
        return 0;
      }
    },
    async stop() {
      lines.close();
      child.stdin?.end();
      await exited;
    },
  };
}

if (process.argv[1] === SELF) {
  const server = await startEmbeddedServer({ port: 0 });
  const stop = (): void => {
    void server.stop().then(() => process.exit(0));
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.once('SIGTERM', stop);
  process.stdout.write(`${JSON.stringify({ endpoint: server.endpoint, region: server.region })}\n`);
}
