import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IllegalStateError, ManualClock, Receiver, StreamingContext } from '../../src/index.js';

/** Spark's CustomReceiver example declares `host` and `port`: the base class must leave those names free. */
class CustomReceiver extends Receiver {
  constructor(
    readonly host: string,
    readonly port: number,
  ) {
    super();
  }

  onStart(): void {
    this.store(`${this.host}:${this.port}`);
  }

  onStop(): void {}
}

test('a receiver subclass may declare host and port, and still stores through the context', async () => {
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, logger: null });
  const seen: string[][] = [];
  ssc.receiverStream(new CustomReceiver('localhost', 9999)).foreachRDD((batch) => void seen.push(batch.collect()));
  ssc.start();
  await clock.advance(1000);
  await ssc.stop();
  assert.deepEqual(seen, [['localhost:9999']]);
});

test('store() outside a running context is an IllegalStateError that says when to call it; logInfo is ignored', () => {
  const receiver = new CustomReceiver('h', 1);
  assert.equal(receiver.name, 'CustomReceiver');
  assert.throws(() => receiver.store('x'), (e: unknown) => e instanceof IllegalStateError && /call store\(\) only between onStart\(\) and onStop\(\)/.test(e.message));
  receiver.logInfo('not attached');
  assert.equal(receiver.isStopped(), true);
});
