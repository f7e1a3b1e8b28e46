import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EVENTS, SLOT_WORDS, STATE, WorkerState, controlBlockBytes, readMessage, signal, wordOf, writeMessage,
} from '../../../src/executor/pool/control-block.js';

function controlBlock(slots: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(controlBlockBytes(slots)));
}

test('slots do not overlap and a signal records the state and bumps EVENTS', () => {
  const control = controlBlock(3);
  assert.equal(wordOf(1, 0) - wordOf(0, 0), SLOT_WORDS);
  assert.ok(wordOf(2, SLOT_WORDS - 1) < control.length);
  signal(control, 2, WorkerState.Ready);
  signal(control, 1, WorkerState.Failed);
  assert.equal(Atomics.load(control, EVENTS), 2);
  assert.equal(Atomics.load(control, wordOf(2, STATE)), WorkerState.Ready);
  assert.equal(Atomics.load(control, wordOf(1, STATE)), WorkerState.Failed);
  assert.equal(Atomics.load(control, wordOf(0, STATE)), WorkerState.Starting);
});

test('failure messages round-trip through a slot, UTF-8 included, truncated to the slot and never spilling into the next', () => {
  const control = controlBlock(2);
  assert.equal(readMessage(control, 0), '');
  writeMessage(control, 0, 'RuntimeError: 越界 memory access out of bounds');
  assert.equal(readMessage(control, 0), 'RuntimeError: 越界 memory access out of bounds');
  writeMessage(control, 1, 'next slot');
  writeMessage(control, 0, 'x'.repeat(10_000));
  const long = readMessage(control, 0);
  assert.ok(long.length > 200 && long.length < (SLOT_WORDS - 16) * 4, `${long.length} chars`);
  assert.match(long, /^x+$/);
  assert.equal(readMessage(control, 1), 'next slot');
});
