// saveAsTextFiles: each batch becomes a folder <prefix>-<batch ms>.<suffix> of part files and _SUCCESS.
//   node dist/examples/save-as-text-files.js ./out/counts
import { StreamingContext } from 'sluice';
import { NodeFileSink } from 'sluice/node';

const [prefix = './out/counts'] = process.argv.slice(2);
const ssc = new StreamingContext({ batchIntervalMs: 200, fileSink: new NodeFileSink() });
const queue = [['to be or not to be']];
ssc
  .queueStream(queue)
  .flatMap((line) => line.split(' '))
  .map((word) => [word, 1])
  .reduceByKey((a, b) => a + b)
  .saveAsTextFiles(prefix, 'txt');
ssc.addStreamingListener({ onBatchCompleted: () => void (queue.length === 0 && ssc.stop({ graceful: true })) });
ssc.start();
await ssc.awaitTermination();
