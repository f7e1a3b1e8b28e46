/**
 * The process the crash tests SIGKILL: Kafka → word count (one fused kernel
 * call per batch) → Kafka, until killed.
 *   node crash-worker.js BROKERS INPUT OUTPUT GROUP at-least-once|exactly-once
 */
import { StreamingContext, pairWithOne, splitWhitespace, sum } from '../../../src/index.js';
import { kafkaDirectStream, kafkaValues, toKafka } from '../../../src/node/index.js';

const [brokers, input, output, groupId, mode] = process.argv.slice(2);
if (brokers === undefined || input === undefined || output === undefined || groupId === undefined || (mode !== 'at-least-once' && mode !== 'exactly-once')) {
  console.error('usage: crash-worker.js BROKERS INPUT OUTPUT GROUP at-least-once|exactly-once');
  process.exit(2);
}
const ssc = new StreamingContext({ batchIntervalMs: 200 });
const records = kafkaDirectStream(ssc, { brokers, topics: input, groupId, resetOffsets: 'earliest', maxRatePerPartition: 600, exactlyOnce: mode === 'exactly-once' });
toKafka(kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum), output);
// One line per completed batch, so the test kills at points measured from real progress, whatever the machine's load.
ssc.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => void process.stdout.write(`batch ${batchInfo.numRecords}\n`) });
ssc.start();
ssc.awaitTermination().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
