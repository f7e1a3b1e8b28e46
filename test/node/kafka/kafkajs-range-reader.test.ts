import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { kafkajsClient } from '../../../src/node/kafka/kafkajs-client.js';
import { createTopic, kafkaBrokers } from './broker.js';

describe('KafkajsRangeReader against a real broker', () => {
  const client = kafkajsClient({ brokers: kafkaBrokers().split(',') });
  after(() => client.close());

  it('back-to-back reads of ranges inside one record batch each get exactly their records', async () => {
    const topic = await createTopic('range-reader', 1);
    // One transaction of 400 records: one record batch on the broker, so every range below starts inside a batch a previous read fetched.
    const producer = await client.transactionalProducer(`range-reader-${randomUUID()}`);
    await producer.fence();
    const tx = await producer.begin();
    await tx.send(topic, Array.from({ length: 400 }, (_, i) => ({ value: `v${i}`, partition: 0 })));
    await tx.commit();
    await producer.close();
    const reader = await client.rangeReader([topic]);
    try {
      const cuts = [0, 37, 74, 75, 200, 399, 400];
      for (let i = 0; i + 1 < cuts.length; i++) {
        const [from, until] = [cuts[i] as number, cuts[i + 1] as number];
        const [records] = await reader.read([{ topic, partition: 0, fromOffset: from, untilOffset: until }]);
        assert.deepEqual(records?.map((r) => r.offset), Array.from({ length: until - from }, (_, k) => from + k), `range [${from}, ${until})`);
        assert.equal(new TextDecoder().decode(records?.[0]?.value ?? undefined), `v${from}`);
      }
    } finally {
      await reader.close();
    }
  });
});
