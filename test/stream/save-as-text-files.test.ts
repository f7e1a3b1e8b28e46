import assert from 'node:assert/strict';
import { test } from 'node:test';
import { batchFolderName, InMemoryFileSink, InvalidArgumentError, ManualClock, StreamingContext } from '../../src/internals.js';

test('saveAsTextFiles writes prefix-<ms>.suffix folders, one part per partition, through the sink', async () => {
  const clock = new ManualClock();
  const contextSink = new InMemoryFileSink();
  const ownSink = new InMemoryFileSink();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, fileSink: contextSink });
  const pairs = ssc.queueStream([[['a', 1] as const, ['b', 2] as const], []]);
  pairs.saveAsTextFiles('out/words', 'txt');
  ssc.queueStream([['x'], ['y'], ['z']], { oneAtATime: false }).saveAsTextFiles('raw', '', ownSink);
  ssc.start();
  await clock.advance(2000);
  await ssc.stop();
  assert.deepStrictEqual([...contextSink.folders], [
    ['out/words-1000.txt', [['(a,1)', '(b,2)']]],
    ['out/words-2000.txt', [[]]],
  ]);
  assert.deepStrictEqual([...ownSink.folders], [
    ['raw-1000', [['x'], ['y'], ['z']]],
    ['raw-2000', [[]]],
  ]);
});

test('saveAsTextFiles without any sink is a clear error', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock() });
  assert.throws(() => ssc.queueStream<string>([]).saveAsTextFiles('p'), (e: unknown) => e instanceof InvalidArgumentError && /NodeFileSink from sluice\/node/.test(e.message));
});

test('batchFolderName follows Spark', () => {
  assert.equal(batchFolderName('p', 's', 5), 'p-5.s');
  assert.equal(batchFolderName('p', undefined, 5), 'p-5');
  // Spark's rddToFileName leaves out an empty prefix with its '-'.
  assert.equal(batchFolderName('', 's', 5), '5.s');
  assert.equal(batchFolderName('', '', 5), '5');
});

test('saveAsTextFiles with a prefix or suffix that is not a string fails at the call, not as folder "undefined-<ms>"', () => {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock(), fileSink: new InMemoryFileSink() });
  const stream = ssc.queueStream<string>([]);
  const invalid = (e: unknown): boolean => e instanceof InvalidArgumentError && /saveAsTextFiles\(prefix, suffix\?\) needs strings/.test(e.message);
  assert.throws(() => stream.saveAsTextFiles(undefined as unknown as string), invalid);
  assert.throws(() => stream.saveAsTextFiles(5 as unknown as string), invalid);
  assert.throws(() => stream.saveAsTextFiles('p', 7 as unknown as string), invalid);
});
