// transform with a static dataset (Spark's blacklist example): words on the blacklist are dropped from each batch.
//   node dist/examples/transform-blacklist.js
import { StreamingContext, type Pair } from 'sluice';

const blacklist: Pair<string, boolean>[] = [['spam', true], ['ads', true]];
const ssc = new StreamingContext({ batchIntervalMs: 200 });
const queue = [['spark streams spam', 'ads ads sluice'], ['spam spam', 'micro batches']];
const wordCounts = ssc
  .queueStream(queue)
  .flatMap((line) => line.split(' '))
  .map((word) => [word, 1])
  .reduceByKey((a, b) => a + b);
const cleaned = wordCounts.transform((batch) =>
  batch
    .leftOuterJoin(blacklist)
    .filter(([, [, banned]]) => banned === undefined)
    .mapValues(([count]) => count)
    .sortByKey(),
);
cleaned.print();
ssc.addStreamingListener({ onBatchCompleted: () => void (queue.length === 0 && ssc.stop({ graceful: true })) });
ssc.start();
await ssc.awaitTermination();
