import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { RecycledArenas } from '../../src/kernels/recycled-arenas.js';

test('an arena given back is handed out again for a request it fits; one still out never is', () => {
  const arenas = new RecycledArenas();
  const a = arenas.allocInput(1_000_000);
  assert.ok(a.bytes.length >= 1_000_000);
  const b = arenas.allocInput(1_000_000);
  assert.notEqual(b.bytes.buffer, a.bytes.buffer, 'a region still out is not lent twice');
  a.bytes[0] = 7;
  a.release();
  a.release();
  assert.equal(arenas.held, 1, 'a second release gives nothing back twice');
  const c = arenas.allocInput(900_000);
  assert.equal(c.bytes.buffer, a.bytes.buffer);
  assert.equal(arenas.held, 0);
  const d = arenas.allocInput(10);
  assert.notEqual(d.bytes.buffer, a.bytes.buffer);
  assert.notEqual(d.bytes.buffer, b.bytes.buffer);
});

test('a request larger than every arena held gets a new one, at least as large as the largest asked lately', () => {
  const arenas = new RecycledArenas();
  const big = arenas.allocInput(4_000_000);
  big.release();
  const bigger = arenas.allocInput(5_000_000);
  assert.notEqual(bigger.bytes.buffer, big.bytes.buffer);
  assert.ok(bigger.bytes.length >= 5_000_000);
  // Smaller batches after a larger one get arenas the larger one would fit (up to twice their size).
  const small = arenas.allocInput(3_000_000);
  assert.equal(small.bytes.buffer, big.bytes.buffer, 'the held 4 MB arena fits 3 MB');
  const next = arenas.allocInput(3_000_000);
  assert.ok(next.bytes.length >= 5_000_000, `${next.bytes.length}`);
});

test('at most `keep` arenas are held, the smallest let go first, and ones passed over `maxIdle` times are let go', () => {
  const arenas = new RecycledArenas({ keep: 2, maxIdle: 3 });
  const regions = [100_000, 2_000_000, 300_000].map((n) => arenas.allocInput(n));
  for (const region of regions) region.release();
  assert.equal(arenas.held, 2);
  assert.ok(arenas.heldBytes >= 2_000_000 + 300_000, 'the smallest went');
  // Four small requests: the 300 KB arena serves each (given back each time); the 2 MB one idles out.
  for (let i = 0; i < 4; i++) arenas.allocInput(1000).release();
  assert.equal(arenas.held, 1);
  assert.ok(arenas.heldBytes < 2_000_000, `${arenas.heldBytes} bytes held`);
  const none = new RecycledArenas({ keep: 0 });
  none.allocInput(10).release();
  assert.equal(none.held, 0);
  assert.throws(() => new RecycledArenas({ keep: -1 }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  assert.throws(() => new RecycledArenas({ maxHeldBytes: Number.NaN }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  assert.throws(() => arenas.allocInput(-1), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
});

test('arenas held together stay within maxHeldBytes: the smallest are let go, and one larger than the bound is not held', () => {
  const arenas = new RecycledArenas({ keep: 4, maxHeldBytes: 3_000_000 });
  const regions = [1_000_000, 1_500_000, 800_000].map((n) => arenas.allocInput(n));
  for (const region of regions) region.release();
  assert.ok(arenas.heldBytes <= 3_000_000, `${arenas.heldBytes} bytes held`);
  assert.ok(arenas.held >= 1 && arenas.held < 3, `${arenas.held} arenas held`);
  const heldBefore = arenas.heldBytes;
  const huge = arenas.allocInput(4_000_000);
  huge.release();
  assert.equal(arenas.heldBytes, heldBefore, 'the 4 MB arena was not held, and nothing was let go for it');
  assert.notEqual(arenas.allocInput(3_900_000).bytes.buffer, huge.bytes.buffer);
});
