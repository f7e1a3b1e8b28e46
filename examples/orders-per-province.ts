// Order totals per province from "orderId,provinceId,orderPrice" lines; malformed lines are skipped and counted.
//   node dist/examples/orders-per-province.js
import { StreamingContext, keyValueFields, sum } from 'sluice';

const ssc = new StreamingContext({ batchIntervalMs: 200 });
const queue = [['1,10,2.50', '2,11,4.00', 'not an order', '3,10,1.25']];
const orders = ssc.queueStream(queue);
// Field 1 is the key, field 2 the value; with sum this runs as one WASM kernel call over the batch's bytes.
orders.flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 })).reduceByKey(sum).transform((batch) => batch.sortByKey()).print();
ssc.addStreamingListener({
  onBatchCompleted: ({ batchInfo }) => {
    console.log(`malformed lines skipped: ${batchInfo.counters.malformedRecords ?? 0}`);
    if (queue.length === 0) void ssc.stop({ graceful: true });
  },
});
ssc.start();
await ssc.awaitTermination();
