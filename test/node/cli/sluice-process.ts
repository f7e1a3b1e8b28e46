import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { once } from 'node:events';

const BIN = fileURLToPath(new URL('../../../../bin/sluice.js', import.meta.url));

/** A `sluice` child process with its output collected line by line; killed by `kill()` or after `hardTimeoutMs`. */
export class SluiceProcess {
  readonly child: ChildProcess;
  readonly stdoutLines: string[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stdoutTail = '';
  private readonly hardTimer: ReturnType<typeof setTimeout>;

  constructor(args: readonly string[], hardTimeoutMs = 30_000, user?: { uid: number; gid: number }) {
    this.child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...user });
    this.child.stdout?.setEncoding('utf8').on('data', (text: string) => {
      const parts = (this.stdoutTail + text).split('\n');
      this.stdoutTail = parts.pop() ?? '';
      this.stdoutLines.push(...parts);
    });
    this.child.stderr?.setEncoding('utf8').on('data', (text: string) => (this.stderr += text));
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    this.hardTimer = setTimeout(() => this.child.kill('SIGKILL'), hardTimeoutMs);
    void this.exited.then(() => clearTimeout(this.hardTimer));
  }

  /** Resolves once `condition` holds; rejects (with the output so far) if the process exits or `timeoutMs` passes first. */
  async waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => (exited = true));
    while (!condition()) {
      if (exited || Date.now() > deadline) {
        throw new Error(`${exited ? 'sluice exited' : 'Timed out'} waiting for ${what}\nstdout:\n${this.stdoutLines.slice(-20).join('\n')}\nstderr:\n${this.stderr}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

/** Runs sluice to completion (e.g. a usage error), as `user` when given (a test running as root). */
export async function runSluice(args: readonly string[], timeoutMs = 20_000, user?: { uid: number; gid: number }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const process = new SluiceProcess(args, timeoutMs, user);
  const { code } = await process.exited;
  return { code, stdout: process.stdoutLines.join('\n'), stderr: process.stderr };
}

export interface JsonBatch {
  time: number;
  records: number;
  malformed?: number;
  result: [string, number][];
}

/** The --json batches printed so far. */
export function jsonBatches(lines: readonly string[]): JsonBatch[] {
  return lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as JsonBatch);
}

/** Per-key sums over all batches (the per-batch results of wordcount --json). */
export function totalsOf(batches: readonly JsonBatch[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const batch of batches) for (const [key, value] of batch.result) totals.set(key, (totals.get(key) ?? 0) + value);
  return totals;
}

/** A TCP server on 127.0.0.1 that writes `text` to every client; close it when done. */
export async function serveText(text: string): Promise<{ port: number; close(): void }> {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    socket.write(text);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as { port: number }).port, close: () => server.close() };
}

/** The unprivileged user (nobody) a test running as root can run sluice as, when that user can read sluice's files; undefined otherwise. */
export function unprivilegedUser(): { uid: number; gid: number } | undefined {
  const nobody = { uid: 65534, gid: 65534 };
  const check = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(BIN)}, require('node:fs').constants.R_OK)`], { ...nobody, stdio: 'ignore' });
  return check.status === 0 ? nobody : undefined;
}
