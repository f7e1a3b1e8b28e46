// foreachRDD: push each batch to an external system, one connection per partition (Spark's design pattern).
//   node dist/examples/foreach-rdd.js
import { StreamingContext } from 'sluice';

/** Stands in for a database or queue client. */
class Connection {
  constructor(readonly id: number) {}
  send(record: string): void {
    console.log(`connection ${this.id} <- ${record}`);
  }
  close(): void {}
}

let connections = 0;
const ssc = new StreamingContext({ batchIntervalMs: 200 });
const queue = [['x', 'y', 'z', 'w']];
ssc
  .queueStream(queue)
  .repartition(2)
  .foreachRDD(async (batch, time) => {
    console.log(`batch ${time - (ssc.zeroTime ?? 0)} ms after the start: ${batch.count()} records`);
    await batch.foreachPartition((records) => {
      const connection = new Connection(++connections);
      for (const record of records) connection.send(record);
      connection.close();
    });
  });
ssc.addStreamingListener({ onBatchCompleted: () => void (queue.length === 0 && ssc.stop({ graceful: true })) });
ssc.start();
await ssc.awaitTermination();
