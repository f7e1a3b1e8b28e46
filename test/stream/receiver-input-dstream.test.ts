// A receiver stream on the inline kernels (which lend no memory): each batch
// is written into plain memory that is reused once the batch is older than
// the stream's remember duration, and every batch still counts its own lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { corpusLines } from '../../src/corpus/index.js';
import { type Batch, ManualClock, StreamingContext, createKernels, pairWithOne, splitWhitespace, sum } from '../../src/index.js';
import { ScriptedReceiver } from '../receivers/scripted-receiver.js';

function counts(lines: readonly string[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const line of lines) for (const word of line.split(/[ \t\n\x0B\f\r]+/)) if (word !== '') result.set(word, (result.get(word) ?? 0) + 1);
  return result;
}

test('receiver batches on the inline kernels reuse the memory of batches past their remember duration, and each counts its own lines', async () => {
  const source = corpusLines('english');
  // Sizes that swing, as a busy main thread makes them: a reused arena holds longer earlier bytes behind shorter ones.
  const sizes = [3000, 3000, 500, 4000, 200, 3000, 3000, 1000];
  const batches = sizes.map((n) => Array.from({ length: n }, () => source.next().value as string));
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, kernels: createKernels({ fallback: false }) });
  const receiver = new ScriptedReceiver();
  const input = ssc.receiverStream(receiver);
  const buffers: ArrayBufferLike[] = [];
  const kept: Batch<string>[] = [];
  input.foreachRDD((batch) => {
    kept.push(batch);
    const bytes = batch.asRecordBatch()?.data;
    if (bytes !== undefined) buffers.push(bytes.buffer);
  });
  const results: Map<string, number>[] = [];
  input
    .flatMap(splitWhitespace)
    .map(pairWithOne)
    .reduceByKey(sum)
    .foreachRDD((batch) => void results.push(new Map(batch.collect())));
  ssc.start();
  for (const lines of batches) {
    receiver.feed(lines);
    await clock.advance(1000);
  }
  await ssc.stop({ graceful: true });
  assert.equal(results.length, batches.length);
  results.forEach((result, i) => assert.deepEqual(result, counts(batches[i] as string[]), `batch ${i}`));
  assert.equal(buffers.length, batches.length);
  assert.ok(new Set(buffers).size <= 4, `${new Set(buffers).size} arenas for ${batches.length} batches`);
  assert.throws(() => (kept[0] as Batch<string>).count(), { code: 'ERR_SLUICE_ILLEGAL_STATE', message: /remember duration/ });
});
