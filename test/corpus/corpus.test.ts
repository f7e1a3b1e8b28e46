import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BAD_PRICES,
  CORPUS_NAMES,
  corpusBytes,
  corpusLines,
  createCorpus,
  distinctPassBytes,
  fillBytes,
  PROVINCE_COUNT,
} from '../../src/corpus/index.js';

const MB = 1 << 20;
const fatal = new TextDecoder('utf-8', { fatal: true });
const JAVA_WHITESPACE = /[ \t\n\x0B\f\r]+/;

function words(bytes: Uint8Array): string[] {
  return fatal.decode(bytes).split(JAVA_WHITESPACE).filter((w) => w !== '');
}

function take(lines: Iterator<string>, n: number): string[] {
  return Array.from({ length: n }, () => lines.next().value as string);
}

for (const name of CORPUS_NAMES) {
  test(`${name}: the same seed gives the same bytes, another seed other bytes`, () => {
    const a = corpusBytes(name, 256 * 1024, { seed: 5, distinctKeys: 100_000 });
    const b = corpusBytes(name, 256 * 1024, { seed: 5, distinctKeys: 100_000 });
    const c = corpusBytes(name, 256 * 1024, { seed: 6, distinctKeys: 100_000 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test(`${name}: a buffer holds whole lines, at most the requested size and short of it by less than a line`, () => {
    for (const size of [0, 1, 1000, MB]) {
      const bytes = corpusBytes(name, size);
      assert.ok(bytes.length <= size, `${bytes.length} > ${size}`);
      if (bytes.length > 0) assert.equal(bytes[bytes.length - 1], 0x0a);
      const text = fatal.decode(bytes);
      const longest = Math.max(0, ...text.split('\n').map((l) => new TextEncoder().encode(l).length + 1));
      if (size >= 1000) assert.ok(size - bytes.length < Math.max(longest, 1) * 4, `${size - bytes.length} bytes short`);
    }
  });

  test(`${name}: the buffer is exactly the line iterator's lines joined by '\\n'`, () => {
    const bytes = corpusBytes(name, 64 * 1024);
    const lines = fatal.decode(bytes).split('\n');
    assert.equal(lines.pop(), '');
    assert.deepEqual(lines, take(corpusLines(name), lines.length));
  });
}

test('fillBytes stops after maxLines', () => {
  const bytes = fillBytes(createCorpus('orders'), { byteLength: MB, maxLines: 3 });
  assert.equal(fatal.decode(bytes).split('\n').length, 4);
});

test('english: lines of 5–20 lowercase words separated by single spaces', () => {
  for (const line of take(corpusLines('english'), 5_000)) {
    const ws = line.split(' ');
    assert.ok(ws.length >= 5 && ws.length <= 20, `line of ${ws.length} words`);
    for (const w of ws) assert.match(w, /^[a-z]+$/);
  }
});

test('english: word frequencies have the Zipf shape (the > of > and, top word ≈ 2× second)', () => {
  const counts = new Map<string, number>();
  for (const w of words(corpusBytes('english', MB))) counts.set(w, (counts.get(w) ?? 0) + 1);
  const ranked = [...counts].sort((a, b) => b[1] - a[1]);
  assert.deepEqual(ranked.slice(0, 3).map(([w]) => w), ['the', 'of', 'and']);
  const [first, second] = [ranked[0]?.[1] ?? 0, ranked[1]?.[1] ?? 1];
  assert.ok(first / second > 1.8 && first / second < 2.2, `ratio ${first / second}`);
  assert.ok(counts.size > 10_000, `only ${counts.size} distinct words in 1 MB`);
});

test('mixed: about 20% of the words are CJK', () => {
  const ws = words(corpusBytes('mixed', MB));
  const cjk = ws.filter((w) => /^[\u4e00-\u9fa5]+$/u.test(w)).length;
  const ascii = ws.filter((w) => /^[a-z]+$/.test(w)).length;
  assert.equal(cjk + ascii, ws.length, 'every word is either CJK or lowercase ASCII');
  const share = cjk / ws.length;
  assert.ok(Math.abs(share - 0.2) < 0.01, `CJK share ${share}`);
});

test('mixed: uses every Java whitespace character and CRLF line ends, and blank lines', () => {
  const text = fatal.decode(corpusBytes('mixed', MB));
  for (const ch of ['\t', '\x0B', '\f', '\r\n', '  ']) assert.ok(text.includes(ch), `missing ${JSON.stringify(ch)}`);
  assert.ok(text.split('\n').some((l) => l !== '' && l.trim() === ''), 'no whitespace-only line');
  assert.ok(!/[^\S \t\n\x0B\f\r]/u.test(text), 'no whitespace outside Java \\s');
});

test('distinct: one pass holds every key exactly once, in scattered order', () => {
  const keys = words(distinctPassBytes(100_000, 9));
  assert.equal(keys.length, 100_000);
  assert.equal(new Set(keys).size, 100_000);
  for (const k of keys.slice(0, 100)) assert.match(k, /^k[0-9a-z]+$/);
  const sequential = keys.slice(1, 1000).filter((k, i) => parseInt(k.slice(1), 36) === parseInt((keys[i] as string).slice(1), 36) + 1);
  assert.ok(sequential.length < 10);
  assert.throws(() => distinctPassBytes(15), RangeError);
});

test('distinct: lines of 10 keys, and the order repeats after a pass', () => {
  const lines = take(corpusLines('distinct', { distinctKeys: 50 }), 10);
  for (const l of lines) assert.equal(l.split(' ').length, 10);
  assert.deepEqual(lines.slice(0, 5), lines.slice(5));
});

test('orders: clean lines parse as increasing id, province 1..34, price with two decimals', () => {
  let previous = 0n;
  const provinces = new Set<number>();
  for (const line of take(corpusLines('orders'), 20_000)) {
    const m = /^(\d{18}),(\d+),(\d+\.\d\d)$/.exec(line);
    assert.ok(m, `bad line ${line}`);
    const id = BigInt(m[1] as string);
    assert.ok(id > previous);
    previous = id;
    const province = Number(m[2]);
    assert.ok(province >= 1 && province <= PROVINCE_COUNT);
    provinces.add(province);
    const price = Number(m[3]);
    assert.ok(price >= 0.01 && price <= 1000);
  }
  assert.equal(provinces.size, PROVINCE_COUNT);
});

test('orders: malformedRate injects missing fields, extra fields and bad numbers at that rate', () => {
  const kinds = { missing: 0, extra: 0, badNumber: 0, clean: 0 };
  const n = 20_000;
  for (const line of take(corpusLines('orders', { malformedRate: 0.05 }), n)) {
    const fields = line.split(',');
    if (fields.length === 2) kinds.missing++;
    else if (fields.length === 4) kinds.extra++;
    else if (BAD_PRICES.includes(fields[2] as string)) kinds.badNumber++;
    else {
      assert.match(fields[2] as string, /^\d+\.\d\d$/);
      kinds.clean++;
    }
  }
  const malformed = n - kinds.clean;
  assert.ok(Math.abs(malformed / n - 0.05) < 0.006, `malformed share ${malformed / n}`);
  for (const k of [kinds.missing, kinds.extra, kinds.badNumber]) assert.ok(k > malformed / 5);
  for (const bad of BAD_PRICES) assert.ok(!Number.isFinite(Number(bad)) || bad === '', `${bad} parses`);
  assert.throws(() => createCorpus('orders', { malformedRate: 2 }), RangeError);
});

test('corpora are pinned: seed 42 gives the same bytes as when BENCHMARKS.md was measured', () => {
  // A changed generator or vocabulary silently changes every benchmark input;
  // update these fingerprints only on purpose, and re-measure.
  const pinned = { english: [65442, 0x7e878ce5], mixed: [65480, 0x2d091277], distinct: [65535, 0xbd1929e4], orders: [65513, 0xea5108db] };
  for (const name of CORPUS_NAMES) {
    const bytes = corpusBytes(name, 65536, { distinctKeys: 1_000_000, ...(name === 'orders' ? { malformedRate: 0.01 } : {}) });
    let h = 0x811c9dc5;
    for (const b of bytes) h = Math.imul(h ^ b, 0x01000193) >>> 0;
    assert.deepEqual([bytes.length, h], pinned[name], name);
  }
});
