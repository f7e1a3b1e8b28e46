// Spark's QueueStream: batches taken from a queue of arrays, counted by value mod 10.
//   node dist/examples/queue-stream.js
import { StreamingContext } from 'sluice';

const ssc = new StreamingContext({ batchIntervalMs: 200 });
const queue: number[][] = [];
for (let i = 0; i < 3; i++) queue.push(Array.from({ length: 1000 }, (_, j) => j + 1));

const reduced = ssc
  .queueStream(queue)
  .map((x) => [x % 10, 1])
  .reduceByKey((a, b) => a + b);
reduced.transform((batch) => batch.sortByKey()).print();
// The queue is drained one array per batch; stop once the last one was processed.
ssc.addStreamingListener({ onBatchCompleted: () => void (queue.length === 0 && ssc.stop({ graceful: true })) });
ssc.start();
await ssc.awaitTermination();
