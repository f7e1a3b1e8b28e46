import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InMemoryCheckpointStore } from '../../src/index.js';

test('InMemoryCheckpointStore keeps the latest write, as a copy both ways', async () => {
  const store = new InMemoryCheckpointStore('test store');
  assert.equal(await store.read(), undefined);
  const data = new Uint8Array([1, 2, 3]);
  await store.write(data);
  data[0] = 9;
  const read = (await store.read()) as Uint8Array;
  assert.deepEqual([...read], [1, 2, 3]);
  read[1] = 9;
  assert.deepEqual([...((await store.read()) as Uint8Array)], [1, 2, 3]);
  await store.write(new Uint8Array([4]));
  assert.deepEqual([...((await store.read()) as Uint8Array)], [4]);
  assert.equal(store.writes, 2);
  assert.equal(store.describe(), 'test store');
});
