// Running word counts shared by every process started with the same group (issue 11's scale-out):
//   node dist/examples/scale-out-word-count.js 127.0.0.1:9092 words wc wordcounts     (start it several times)
// Each batch's counts go through a repartition topic to the process owning each word; the running
// counts live in a changelog topic and move with their partitions; each batch commits exactly once.
import { StreamingContext, pairWithOne, runningSum, splitWhitespace, sum } from 'sluice';
import { kafkaDirectStream, kafkaValues, repartitionThroughKafka, toKafka } from 'sluice/node';

const [brokers = '127.0.0.1:9092', topic = 'words', groupId = 'wc', output = 'wordcounts'] = process.argv.slice(2);
const ssc = new StreamingContext({ batchIntervalMs: 1000 });
const records = kafkaDirectStream(ssc, { brokers, topics: topic, groupId, resetOffsets: 'earliest', scaleOut: true });
const perBatch = kafkaValues(records).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum);
const counts = repartitionThroughKafka(perBatch).updateStateByKey(runningSum).name('counts');
toKafka(counts.changes(), output);
ssc.start();
process.once('SIGTERM', () => void ssc.stop({ graceful: true }));
process.once('SIGINT', () => void ssc.stop({ graceful: true }));
await ssc.awaitTermination();
