// Spark's NetworkWordCount: counts the words of each 1 s batch of lines read from a TCP server.
//   node dist/examples/network-word-count.js 127.0.0.1 9999     (with `nc -lk 9999` or `node bin/sluice.js gen --port 9999`)
import { StreamingContext } from 'sluice';
import { socketTextStream } from 'sluice/node';

const [host = '127.0.0.1', port = '9999'] = process.argv.slice(2);
const ssc = new StreamingContext({ batchIntervalMs: 1000 });
const lines = socketTextStream(ssc, host, Number(port));
// Plain closures, as in Spark; `w => [w, 1]` is typed as a pair. The built-ins
// (flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum)) run the same chain as one WASM kernel call.
const wordCounts = lines
  .flatMap((line) => line.split(' '))
  .filter((word) => word.length > 0)
  .map((word) => [word, 1])
  .reduceByKey((a, b) => a + b);
wordCounts.print();
ssc.start();
process.once('SIGTERM', () => void ssc.stop({ graceful: true }));
process.once('SIGINT', () => void ssc.stop({ graceful: true }));
await ssc.awaitTermination();
