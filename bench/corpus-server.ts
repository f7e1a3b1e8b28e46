/**
 * A TCP server in a child process that sends a recorded corpus to every
 * client as fast as the client reads it, over and over (so the producer is
 * never the bottleneck, and never shares an event loop or a JIT with what is
 * measured). Used by bench:e2e and bench:spark.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { corpusBytes } from '../src/corpus/index.js';

const SELF = fileURLToPath(import.meta.url);

export interface CorpusServer {
  readonly port: number;
  readonly child: ChildProcess;
}

/** Starts the child serving `megabytes` MiB of the english corpus on 127.0.0.1 (an ephemeral port). */
export async function startCorpusServer(megabytes: number): Promise<CorpusServer> {
  const child = fork(SELF, ['--serve-corpus', String(megabytes)], { stdio: 'inherit' });
  const [message] = (await once(child, 'message')) as [{ port: number }];
  return { port: message.port, child };
}

async function serve(megabytes: number): Promise<void> {
  const data = Buffer.from(corpusBytes('english', megabytes * 1024 * 1024));
  const server = createServer((socket) => {
    socket.on('error', () => {});
    const pump = () => {
      while (socket.write(data));
      socket.once('drain', pump);
    };
    pump();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  (process.send as (message: unknown) => void)({ port: (server.address() as { port: number }).port });
}

if (process.argv[1] === SELF && process.argv[2] === '--serve-corpus') await serve(Number(process.argv[3]));
