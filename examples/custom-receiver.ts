// Spark's CustomReceiver: a receiver of your own (here: lines from a TCP server) feeding a word count.
//   node dist/examples/custom-receiver.js 127.0.0.1 9999
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { Receiver, StreamingContext } from 'sluice';

class CustomReceiver extends Receiver {
  private socket: Socket | undefined;

  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super(`CustomReceiver(${host}:${port})`);
  }

  onStart(): void {
    // Must not block: open the connection and return.
    const socket = connect(this.port, this.host);
    this.socket = socket;
    createInterface({ input: socket }).on('line', (line) => this.store(line));
    socket.on('error', (error) => this.restart(`Error receiving from ${this.host}:${this.port}`, error));
    socket.on('close', () => {
      if (!this.isStopped()) this.restart('Connection closed; trying to connect again');
    });
  }

  onStop(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }
}

const [host = '127.0.0.1', port = '9999'] = process.argv.slice(2);
const ssc = new StreamingContext({ batchIntervalMs: 1000 });
const lines = ssc.receiverStream(new CustomReceiver(host, Number(port)));
lines
  .flatMap((line) => line.split(' '))
  .map((word) => [word, 1])
  .reduceByKey((a, b) => a + b)
  .print();
ssc.start();
process.once('SIGTERM', () => void ssc.stop({ graceful: true }));
await ssc.awaitTermination();
