import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, Receiver, type ReceiverInfo, StreamingContext, pairWithOne, splitWhitespace, sum } from '../../src/index.js';
import type { ReceiverInputDStream } from '../../src/stream/receiver-input-dstream.js';

/** A receiver the test drives by hand: `push` stores lines while it runs. */
class ScriptedReceiver extends Receiver {
  starts = 0;
  stops = 0;
  failStarts = 0;

  constructor() {
    super('scripted');
    this.restartDelayMs = 500;
  }

  onStart(): void {
    this.starts++;
    if (this.failStarts > 0) {
      this.failStarts--;
      throw new Error(`start failure ${this.starts}`);
    }
  }

  onStop(): void {
    this.stops++;
  }

  push(...lines: (string | Uint8Array)[]): void {
    this.store(lines);
  }
}

function setup(receiver: Receiver, options: { maxRecordBytes?: number; receiverBufferBytes?: number } = {}) {
  const { receiverBufferBytes, ...streamOptions } = options;
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, ...(receiverBufferBytes === undefined ? {} : { receiverBufferBytes }) });
  const batches: [number, string[]][] = [];
  const events: string[] = [];
  const infos: { counters: Record<string, number>; numRecords: number }[] = [];
  ssc.addStreamingListener({
    onReceiverStarted: ({ receiverInfo }) => events.push(`started ${receiverInfo.name} active=${receiverInfo.active}`),
    onReceiverError: ({ receiverInfo }: { receiverInfo: ReceiverInfo }) => events.push(`error ${receiverInfo.lastErrorMessage} @${receiverInfo.lastErrorTime}`),
    onReceiverStopped: ({ receiverInfo }) => events.push(`stopped ${receiverInfo.name}`),
    onBatchCompleted: ({ batchInfo }) => infos.push({ counters: { ...batchInfo.counters }, numRecords: batchInfo.numRecords }),
  });
  const stream = ssc.receiverStream(receiver, streamOptions);
  stream.foreachRDD((batch, time) => {
    batches.push([time, batch.collect()]);
  });
  return { clock, ssc, batches, events, infos, supervisor: (stream as ReceiverInputDStream).supervisor };
}

test('stored records land in the batch whose interval they arrived in, as strings or bytes', async () => {
  const receiver = new ScriptedReceiver();
  const { clock, ssc, batches, infos } = setup(receiver);
  ssc.start();
  receiver.push('a', new TextEncoder().encode('长江'));
  await clock.advance(1000);
  receiver.push('b\nc');
  await clock.advance(1000);
  await clock.advance(1000);
  await ssc.stop();
  assert.deepStrictEqual(batches, [[1000, ['a', '长江']], [2000, ['b', 'c']], [3000, []]]);
  assert.deepStrictEqual(infos.map((i) => i.numRecords), [2, 2, 0]);
});

test('a receiver whose onStart throws is restarted after restartDelayMs on the clock; the error reaches listeners', async () => {
  const receiver = new ScriptedReceiver();
  receiver.failStarts = 2;
  const { clock, ssc, events } = setup(receiver);
  ssc.start();
  assert.equal(receiver.starts, 1);
  assert.equal(receiver.isStopped(), true);
  await clock.advance(499);
  assert.equal(receiver.starts, 1);
  await clock.advance(1);
  assert.equal(receiver.starts, 2);
  await clock.advance(500);
  assert.equal(receiver.starts, 3);
  assert.equal(receiver.isStopped(), false);
  await ssc.stop();
  assert.deepStrictEqual(events, [
    'error Receiver scripted threw in onStart: start failure 1 @0',
    'error Receiver scripted threw in onStart: start failure 2 @500',
    'started scripted active=true',
    'stopped scripted',
  ]);
  assert.equal(receiver.stops, 3, 'onStop after each failed start and at the end');
});

test('restart() stops the receiver, drops records stored while it is down, and starts it again', async () => {
  const receiver = new ScriptedReceiver();
  const { clock, ssc, batches, events } = setup(receiver);
  ssc.start();
  receiver.push('before');
  receiver.restart('connection lost', new Error('ECONNRESET'));
  assert.equal(receiver.isStopped(), true);
  receiver.push('while down');
  receiver.reportError('not fatal');
  await clock.advance(1000);
  assert.equal(receiver.starts, 2);
  receiver.push('after');
  await clock.advance(1000);
  await ssc.stop();
  assert.deepStrictEqual(batches, [[1000, ['before']], [2000, ['after']]]);
  assert.deepStrictEqual(events, [
    'started scripted active=true',
    'error connection lost @0',
    'error not fatal @0',
    'started scripted active=true',
    'stopped scripted',
  ]);
});

test('over-long records are dropped and counted in the batch', async () => {
  const receiver = new ScriptedReceiver();
  const { clock, ssc, batches, infos } = setup(receiver, { maxRecordBytes: 4 });
  ssc.start();
  receiver.push('ok', 'way too long', 'fine');
  await clock.advance(1000);
  await ssc.stop();
  assert.deepStrictEqual(batches, [[1000, ['ok', 'fine']]]);
  assert.deepStrictEqual(infos[0]?.counters, { droppedTooLongRecords: 1 });
});

test('graceful stop stops receiving, then processes the data already received in one last batch', async () => {
  const receiver = new ScriptedReceiver();
  const { clock, ssc, batches } = setup(receiver);
  ssc.start();
  receiver.push('x');
  await clock.advance(1000);
  receiver.push('y', 'z');
  await clock.advance(300);
  await ssc.stop({ graceful: true });
  assert.equal(receiver.isStopped(), true);
  assert.deepStrictEqual(batches, [[1000, ['x']], [2000, ['y', 'z']]]);
  assert.equal(await ssc.awaitTermination(), true);
});

test('a non-graceful stop drops data received since the last batch', async () => {
  const receiver = new ScriptedReceiver();
  const { clock, ssc, batches } = setup(receiver);
  ssc.start();
  receiver.push('x');
  await clock.advance(1000);
  receiver.push('lost');
  await ssc.stop();
  assert.deepStrictEqual(batches, [[1000, ['x']]]);
});

test('graceful stop also finishes generated batches queued behind a slow one', async () => {
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock });
  const seen: number[] = [];
  let release: (() => void) | undefined;
  ssc.queueStream([[1], [2], [3]]).foreachRDD(async (batch) => {
    if (batch.first() === 1) await new Promise<void>((resolve) => (release = resolve));
    seen.push(batch.first());
  });
  ssc.start();
  const stepping = clock.advance(3000);
  // Batches 2000 and 3000 are generated and queue up behind the blocked batch 1000.
  while (release === undefined || clock.now() < 3000) await new Promise((resolve) => setImmediate(resolve));
  const stopping = ssc.stop({ graceful: true });
  release();
  await stepping;
  await stopping;
  assert.deepStrictEqual(seen, [1, 2, 3]);
});

test('received-but-unprocessed bytes count against the budget until their batch completes', async () => {
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, receiverBufferBytes: 10 });
  const receiver = new ScriptedReceiver();
  const stream = ssc.receiverStream(receiver);
  let release: (() => void) | undefined;
  const seen: string[][] = [];
  stream.foreachRDD(async (batch) => {
    await new Promise<void>((resolve) => (release = resolve));
    seen.push(batch.collect());
  });
  ssc.start();
  receiver.push('abcd'); // 5 bytes with its '\n'
  assert.equal(receiver.bufferedBytes(), 5);
  assert.equal(receiver.isBufferFull(), false);
  receiver.push('efgh');
  assert.equal(receiver.isBufferFull(), true);
  let room = false;
  void receiver.whenBufferHasRoom().then(() => (room = true));
  const stepping = clock.advance(1000);
  while (release === undefined) await new Promise((resolve) => setImmediate(resolve));
  // Cut into the batch, which is running but not done: still held.
  assert.equal(receiver.bufferedBytes(), 10);
  assert.equal(receiver.isBufferFull(), true);
  assert.equal(room, false);
  release();
  await stepping;
  assert.equal(receiver.bufferedBytes(), 0);
  assert.equal(room, true);
  assert.deepStrictEqual(seen, [['abcd', 'efgh']]);
  assert.deepStrictEqual((stream as ReceiverInputDStream).supervisor.bufferStats(), { limitBytes: 10, bufferedBytes: 0, peakBufferedBytes: 10, overBudgetStores: 0 });
  await ssc.stop();
});

test('stores beyond the budget after the turn it filled are kept, counted, and reported once', async () => {
  const receiver = new ScriptedReceiver();
  const { clock, ssc, batches, events, supervisor } = setup(receiver, { receiverBufferBytes: 4 });
  let lastError: unknown;
  ssc.addStreamingListener({ onReceiverError: ({ receiverInfo }) => (lastError = receiverInfo.lastError) });
  ssc.start();
  // The chunk in hand when the buffer fills is stored without complaint.
  receiver.push('aa', 'bb', 'cc');
  assert.equal(supervisor.bufferStats().overBudgetStores, 0);
  await Promise.resolve();
  receiver.push('dd');
  receiver.push('ee');
  assert.equal(supervisor.bufferStats().overBudgetStores, 2);
  const errors = events.filter((e) => e.startsWith('error'));
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? '', /receiverBufferBytes = 4.*whenBufferHasRoom/);
  assert.equal((lastError as { code?: unknown }).code, 'ERR_SLUICE_RECEIVER_OVER_BUDGET');
  await clock.advance(1000);
  assert.deepStrictEqual(batches, [[1000, ['aa', 'bb', 'cc', 'dd', 'ee']]]);
  await ssc.stop();
});

/** Holds lines back like a rate-limited receiver and stores them as its final flush in onStop. */
class HoldingReceiver extends ScriptedReceiver {
  held: string[] = [];

  override onStop(): void {
    super.onStop();
    this.store(this.held.splice(0));
  }
}

test('lines a receiver stores in onStop reach the last batch of a graceful stop', async () => {
  const receiver = new HoldingReceiver();
  const { clock, ssc, batches } = setup(receiver);
  ssc.start();
  receiver.push('x');
  await clock.advance(1000);
  receiver.push('y');
  receiver.held.push('held 1', 'held 2');
  await ssc.stop({ graceful: true });
  assert.deepStrictEqual(batches, [[1000, ['x']], [2000, ['y', 'held 1', 'held 2']]]);
  // Once stopped, stores are dropped again.
  receiver.store('late');
  assert.equal(receiver.bufferedBytes(), 0);
});

test('a graceful stop runs a last batch even when only onStop stored something', async () => {
  const receiver = new HoldingReceiver();
  const { clock, ssc, batches } = setup(receiver);
  ssc.start();
  await clock.advance(1000);
  receiver.held.push('only at stop');
  await ssc.stop({ graceful: true });
  assert.deepStrictEqual(batches, [[1000, []], [2000, ['only at stop']]]);
});

test('whenBufferHasRoom resolves when the receiver stops, so readers waiting on it can end', async () => {
  const receiver = new ScriptedReceiver();
  const { ssc } = setup(receiver, { receiverBufferBytes: 2 });
  ssc.start();
  receiver.push('full');
  let woke = false;
  const waiting = receiver.whenBufferHasRoom().then(() => (woke = true));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(woke, false);
  await ssc.stop();
  await waiting;
  assert.equal(woke, true);
});

test('receiverBufferBytes must be a positive integer', () => {
  for (const bad of [0, -1, 1.5, Number.NaN]) {
    assert.throws(() => new StreamingContext({ batchIntervalMs: 1000, receiverBufferBytes: bad }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  }
  assert.equal(new StreamingContext({ batchIntervalMs: 1000 }).receiverBufferBytes, 256 * 1024 * 1024);
});

test('the context logger gets every receiver error as WARN and logInfo notes as INFO; logger: null is silent', async () => {
  const lines: string[] = [];
  const logger = { warn: (m: string) => void lines.push(`WARN ${m}`), info: (m: string) => void lines.push(`INFO ${m}`) };
  const clock = new ManualClock();
  const ssc = new StreamingContext({ batchIntervalMs: 1000, clock, logger });
  const receiver = new ScriptedReceiver();
  receiver.failStarts = 1;
  ssc.receiverStream(receiver).foreachRDD(() => {});
  ssc.start();
  await clock.advance(500);
  receiver.logInfo('connected again');
  receiver.reportError('lost the line');
  await ssc.stop();
  assert.deepEqual(lines, ['WARN scripted: Receiver scripted threw in onStart: start failure 1', 'INFO scripted: connected again', 'WARN scripted: lost the line']);

  const quiet = new StreamingContext({ batchIntervalMs: 1000, clock: new ManualClock(), logger: null });
  const other = new ScriptedReceiver();
  quiet.receiverStream(other).foreachRDD(() => {});
  const original = console.error;
  const printed: unknown[] = [];
  console.error = (...args: unknown[]) => void printed.push(args);
  try {
    quiet.start();
    other.reportError('nobody hears this');
  } finally {
    console.error = original;
  }
  await quiet.stop();
  assert.deepEqual(printed, []);
});

test('received bytes with ill-formed UTF-8: two broken words that read the same are one key, on the kernels and on the JS path', async () => {
  for (const kernels of [undefined, null] as const) {
    const clock = new ManualClock();
    const ssc = new StreamingContext(kernels === undefined ? { batchIntervalMs: 1000, clock } : { batchIntervalMs: 1000, clock, kernels });
    const receiver = new ScriptedReceiver();
    const counts: [string, number][][] = [];
    ssc.receiverStream(receiver).flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum).foreachRDD((batch) => void counts.push(batch.collect().map(([k, v]) => [k, v] as [string, number])));
    ssc.start();
    // x 0x80 y and x 0xff y both read "x\ufffdy"; the valid U+FFFD (EF BF BD) too.
    receiver.push(Uint8Array.from([0x78, 0x80, 0x79, 0x20, 0x61, 0x0a]), Uint8Array.from([0x78, 0xff, 0x79, 0x0a]), Uint8Array.from([0x78, 0xef, 0xbf, 0xbd, 0x79, 0x0a]));
    await clock.advance(1000);
    await ssc.stop();
    assert.deepEqual(new Map(counts[0]), new Map([['x\ufffdy', 3], ['a', 1]]), `kernels: ${String(kernels)}`);
    assert.equal(counts[0]?.length, 2);
  }
});
