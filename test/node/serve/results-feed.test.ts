import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WebSocket } from 'ws';
import type { BatchInfo } from '../../../src/engine/listener.js';
import { ResultsFeed } from '../../../src/node/serve/results-feed.js';
import { MAX_SHOWN_KEY_LENGTH } from '../../../src/node/serve/top-k.js';

/** The parts of a `ws` socket the feed uses: it reads everything at once (nothing stays buffered). */
class ReadingSocket {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: string[] = [];
  closedWith: number | undefined;
  send(text: string): void {
    this.sent.push(text);
  }
  close(code: number): void {
    this.closedWith = code;
    this.readyState = 3;
  }
  terminate(): void {}
  on(): this {
    return this;
  }
}

function batchInfo(batchTime: number): BatchInfo {
  return { batchTime, numRecords: 10, submissionTime: batchTime, counters: {}, kernels: 'wasm', kernelCalls: 1 } as BatchInfo;
}

/** Ten (key, count) pairs whose keys are one long word each, as a client sending 100 KB words makes them. */
function longWords(batch: number): [string, number][] {
  return Array.from({ length: 10 }, (_, i) => [`w${batch}-${i}-${'x'.repeat(100_000)}`, 2]);
}

test('keys longer than MAX_SHOWN_KEY_LENGTH are cut in top lists and history, so a subscriber that reads is not dropped for them', () => {
  const feed = new ResultsFeed({ batchIntervalMs: 1000 });
  for (let batch = 1; batch <= 10; batch++) {
    feed.setResults(batch * 1000, longWords(batch));
    feed.onBatchCompleted({ batchInfo: batchInfo(batch * 1000) });
  }
  const socket = new ReadingSocket();
  feed.subscribe(socket as unknown as WebSocket, new URLSearchParams());
  feed.setResults(11_000, longWords(11));
  feed.onBatchCompleted({ batchInfo: batchInfo(11_000) });

  assert.equal(socket.closedWith, undefined);
  assert.equal(feed.slowSubscribersDropped, 0);
  const [hello, batch] = socket.sent.map((text) => JSON.parse(text) as { history?: { top: [string, number][] }[]; top?: [string, number][] });
  const tops = [...(hello?.history ?? []).map((entry) => entry.top), batch?.top ?? []];
  assert.equal(tops.length, 11);
  for (const top of tops) {
    assert.equal(top.length, 10);
    for (const [key, count] of top) {
      assert.equal(key.length, MAX_SHOWN_KEY_LENGTH + 1);
      assert.ok(key.endsWith('…'));
      assert.equal(count, 2);
    }
  }
  assert.ok((batch?.top?.[0]?.[0] ?? '').startsWith('w11-0-xxx'));
});
