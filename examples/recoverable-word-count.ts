// Spark's RecoverableNetworkWordCount pattern: running counts (updateStateByKey) that survive a restart.
//   node dist/examples/recoverable-word-count.js ./checkpoints     (run it twice: the second run continues the counts)
import { StreamingContext, runningSum } from 'sluice';
import { FileCheckpointStore } from 'sluice/node';

const [dir = './checkpoints'] = process.argv.slice(2);
// Each run feeds the same two batches; a recovered run skips the ones already counted.
const queue = [['a b a'], ['b c']];

function createContext(): StreamingContext {
  const ssc = new StreamingContext({ batchIntervalMs: 200 });
  ssc.checkpoint(new FileCheckpointStore(dir));
  ssc
    .queueStream(queue)
    .flatMap((line) => line.split(' '))
    .map((word) => [word, 1])
    .updateStateByKey(runningSum)
    .name('running-counts')
    .transform((batch) => batch.sortByKey())
    .print();
  return ssc;
}

// Unlike Spark, create() runs on recovery too (checkpoints hold data, not code); ssc.recovered tells the two apart.
const ssc = await StreamingContext.getOrCreate(new FileCheckpointStore(dir), createContext);
console.log(ssc.recovered ? 'Recovered from the checkpoint' : 'New run');
ssc.addStreamingListener({ onBatchCompleted: () => void (queue.length === 0 && ssc.stop({ graceful: true })) });
ssc.start();
await ssc.awaitTermination();
