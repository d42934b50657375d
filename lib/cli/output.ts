/**
 * Where the CLI prints: one place for stdout and stderr, injectable for tests.
 */

/** The CLI's output streams. */
export interface CliOutput {
  /** Writes results (help, events, summaries) to stdout. */
  out(text: string): void;
  /** Writes errors and notices to stderr. */
  err(text: string): void;
}

const line = (text: string): string => (text.endsWith('\n') ? text : `${text}\n`);

/** Output to the process's stdout and stderr, one line per call. */
export const processOutput: CliOutput = {
  out: (text) => void process.stdout.write(line(text)),
  err: (text) => void process.stderr.write(line(text)),
};

/** Output collected in memory, for tests. */
export function memoryOutput(): CliOutput & { readonly stdout: string[]; readonly stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (text) => void stdout.push(text), err: (text) => void stderr.push(text) };
}
