import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, type Pair, pairWithOne, runningSum, splitWhitespace, StreamingContext } from '../../src/index.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileCheckpointStore, textFileStream } from '../../src/node/index.js';
import { tempDir } from '../node/temp-dir.js';

const batches = [['a b', 'a'], ['b c'], [], ['a'], ['c c c']];

function create(store: FileCheckpointStore, clock: ManualClock, seen: Map<number, Pair<string, number>[]>): StreamingContext {
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock });
  ssc.checkpoint(store, { checkpointInterval: 1 });
  ssc
    .queueStream(batches.map((b) => [...b]))
    .flatMap(splitWhitespace)
    .map(pairWithOne)
    .updateStateByKey(runningSum)
    .name('counts')
    .foreachRDD((batch, time) => {
      seen.set(time, batch.collect().sort());
    });
  return ssc;
}

test('getOrCreate recovers running counts from a FileCheckpointStore directory', async () => {
  const dir = await tempDir('recovery');
  try {
    const seen = new Map<number, Pair<string, number>[]>();
    const clock = new ManualClock();
    const first = await StreamingContext.getOrCreate(new FileCheckpointStore(dir.path), () => create(new FileCheckpointStore(dir.path), clock, seen));
    first.start();
    await clock.advance(2000);
    await first.stop();
    const clock2 = new ManualClock(2000);
    const second = await StreamingContext.getOrCreate(new FileCheckpointStore(dir.path), () => create(new FileCheckpointStore(dir.path), clock2, seen));
    second.start();
    await clock2.advance(3000);
    await second.stop();
    assert.deepEqual([...seen.keys()], [1000, 2000, 3000, 4000, 5000]);
    assert.deepEqual(seen.get(5000), [['a', 3], ['b', 2], ['c', 4]]);
  } finally {
    await dir.cleanup();
  }
});

test('a file that arrives after the first start is read after a crash before any batch ran; a file there before it never is', async () => {
  const dir = await tempDir('first-start');
  const input = join(dir.path, 'in');
  const checkpoints = join(dir.path, 'ckpt');
  await mkdir(input);
  await writeFile(join(input, 'before.txt'), 'old\n');
  const seen: string[] = [];
  const make = (clock: ManualClock): StreamingContext => {
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock });
    textFileStream(ssc, input, { pollIntervalMs: 5 }).foreachRDD((batch) => void seen.push(...batch.collect()));
    return ssc;
  };
  try {
    const first = await StreamingContext.getOrCreate(new FileCheckpointStore(checkpoints), () => make(new ManualClock(500)));
    first.start();
    await writeFile(join(input, 'after.txt'), 'new\n');
    // The crash: gone before its first batch (the clock never reached it), so no batch checkpoint was written.
    await first.stop();
    assert.deepEqual(seen, []);
    const clock = new ManualClock(60_500);
    const second = await StreamingContext.getOrCreate(new FileCheckpointStore(checkpoints), () => make(clock));
    second.start();
    for (let i = 0; i < 200 && seen.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      await clock.advance(1000);
    }
    await second.stop();
    assert.deepEqual(seen, ['new']);
  } finally {
    await dir.cleanup();
  }
});
