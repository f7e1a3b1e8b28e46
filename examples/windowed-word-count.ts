// Window operations: word counts over the last 3 batches, every batch (reduceByKeyAndWindow with an inverse).
//   node dist/examples/windowed-word-count.js
import { InMemoryCheckpointStore, StreamingContext, nonZero, subtract, sum } from 'sluice';

const interval = 200;
const ssc = new StreamingContext({ batchIntervalMs: interval });
// The inverse form keeps a running aggregate, so it needs a checkpoint store (as in Spark).
ssc.checkpoint(new InMemoryCheckpointStore());
const queue = [['a b'], ['a'], ['c'], [], []];
const pairs = ssc.queueStream(queue).flatMap((line) => line.split(' ')).map((word) => [word, 1]);
const windowed = pairs.reduceByKeyAndWindow(sum, subtract, 3 * interval, interval, nonZero);
windowed.transform((batch) => batch.sortByKey()).print();
ssc.addStreamingListener({ onBatchCompleted: () => void (queue.length === 0 && ssc.stop({ graceful: true })) });
ssc.start();
await ssc.awaitTermination();
