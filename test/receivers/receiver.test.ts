import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IllegalStateError, InvalidArgumentError, ManualClock, Receiver, StreamingContext } from '../../src/index.js';

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

test('store() of something that is no record (a number, an object, null in a list) is an InvalidArgumentError saying what to store; the records before it are kept', async () => {
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, logger: null });
  const caught: unknown[] = [];
  class Storing extends Receiver {
    onStart(): void {
      for (const bad of [5, { a: 1 }, ['kept', null]]) {
        try {
          this.store(bad as unknown as string[]);
        } catch (error) {
          caught.push(error);
        }
      }
    }
    onStop(): void {}
  }
  const seen: string[][] = [];
  ssc.receiverStream(new Storing()).foreachRDD((batch) => void seen.push(batch.collect()));
  ssc.start();
  await clock.advance(1000);
  await ssc.stop();
  assert.equal(caught.length, 3);
  for (const [i, what] of ['the number 5', 'a Object', 'null'].entries()) {
    const error = caught[i];
    assert.ok(error instanceof InvalidArgumentError, String(error));
    assert.match(error.message, new RegExp(`Receiver Storing: store\\(\\) takes a string, a Uint8Array of UTF-8, or an iterable of them .*; got ${what}$`));
  }
  assert.deepEqual(seen, [['kept']]);
});
