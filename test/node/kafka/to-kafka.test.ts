import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ManualClock, StreamingContext } from '../../../src/index.js';
import { toKafka } from '../../../src/node/index.js';
import { createTopic, kafkaBrokers, readTopic } from './broker.js';

describe('toKafka against a real broker', () => {
  it('writes the parts of a pair as they are when bytes, as JSON when objects or arrays, and never crashes on undefined or a bigint', async () => {
    const topic = await createTopic('to-kafka-encoding', 1);
    const clock = new ManualClock(0);
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock });
    const elements: unknown[] = [
      ['word', 3],
      [new TextEncoder().encode('bytes-key'), new TextEncoder().encode('bytes-value')],
      ['obj', { count: 2 }],
      [['a', 1], [1, 2]],
      'plain',
      { x: 1 },
      undefined,
      12n,
    ];
    toKafka(ssc.queueStream([elements]), topic, { brokers: kafkaBrokers() });
    ssc.start();
    try {
      await clock.advance(1000);
    } finally {
      await ssc.stop();
    }
    const written = (await readTopic(topic)).sort((a, b) => a.offset - b.offset).map((r) => [r.key, r.value]);
    assert.deepEqual(written, [
      ['word', '3'],
      ['bytes-key', 'bytes-value'],
      ['obj', '{"count":2}'],
      ['["a",1]', '[1,2]'],
      [null, 'plain'],
      [null, '{"x":1}'],
      [null, 'undefined'],
      [null, '12'],
    ]);
  });
});
