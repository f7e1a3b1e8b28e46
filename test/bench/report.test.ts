import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMarkdown, formatTable, toRow, withRatios, type CorpusFacts } from '../../bench/report.js';
import { parseOptions, selected } from '../../bench/options.js';
import { median } from '../../bench/measure.js';

const facts: CorpusFacts = { corpus: 'english', operation: 'wordCount', bytes: 100e6, words: 20e6, records: 1e6 };
const timing = (...roundMs: number[]) => ({
  rounds: roundMs.map((medianMs) => ({ medianMs, samples: 1 })),
  medianMs: median(roundMs),
  minMs: Math.min(...roundMs),
  samples: roundMs.length,
});

test('rows carry throughput from the median and ratios against same-corpus baselines', () => {
  const rows = withRatios([
    toRow(facts, 'idiomatic-js', timing(8000, 8000, 8000)),
    toRow(facts, 'tuned-js', timing(1000, 1000, 1000)),
    toRow(facts, 'kernel-wasm', timing(400, 400, 400)),
    toRow({ ...facts, corpus: 'mixed' }, 'kernel-wasm', timing(400, 400, 400)),
  ]);
  const wasm = rows[2];
  assert.equal(wasm?.mbPerSec, 250);
  assert.equal(wasm?.wordsPerSec, 50e6);
  assert.equal(wasm?.ratioVsIdiomatic, 20);
  assert.equal(wasm?.ratioVsTunedJs, 2.5);
  assert.deepEqual(wasm?.roundMedianMs, [400, 400, 400]);
  assert.equal(rows[3]?.ratioVsIdiomatic, null, 'no baseline was measured on mixed');
  const table = formatTable(rows);
  assert.match(table, /kernel-wasm\s.*250\.0.*20\.00×\s+2\.50×\s+3\s+3\s+0$/m);
  const markdown = formatMarkdown(rows).split('\n');
  assert.equal(markdown.length, 2 + rows.length);
  assert.match(markdown[1] ?? '', /^\| --- \| --- \| ---: \|/);
  assert.match(markdown[4] ?? '', /^\| english \| kernel-wasm \| 100\.0 \| 400\.0 \| 250\.0 \|/);
});

test('ratios pair rounds: a load spike that slows both sides of a round cancels out', () => {
  // Round 2 ran under load for both; round 3 slowed only the kernel.
  const rows = withRatios([
    toRow(facts, 'idiomatic-js', timing(8000, 16000, 8000)),
    toRow(facts, 'kernel-wasm', timing(400, 800, 800)),
  ]);
  // Per-round ratios 20, 20, 10 → median 20 (the ratio of medians would say 10).
  assert.equal(rows[1]?.ratioVsIdiomatic, 20);
  assert.equal(rows[1]?.medianMs, 800);
});

test('options: defaults, --quick, filters and bad values', () => {
  const defaults = parseOptions([]);
  assert.ok(defaults !== 'help');
  assert.equal(defaults.sizeMb, 32);
  assert.equal(defaults.distinctKeys, 5_000_000);
  assert.equal(defaults.workers, 2);
  assert.equal((parseOptions(['--workers', '0']) as { workers: number }).workers, 0);
  assert.throws(() => parseOptions(['--workers', '1.5']), /--workers/);
  const quick = parseOptions(['--quick', '--filter', 'english,wasm', '--json', 'out.json']);
  assert.ok(quick !== 'help');
  assert.equal(quick.sizeMb, 4);
  assert.deepEqual(quick.filters, ['english', 'wasm']);
  assert.equal(quick.jsonFile, 'out.json');
  assert.equal(quick.markdown, false);
  assert.equal((parseOptions(['--markdown']) as { markdown: boolean }).markdown, true);
  assert.ok(selected(quick, 'english', 'tuned-js'));
  assert.ok(selected(quick, 'orders', 'kernel-wasm'));
  assert.ok(!selected(quick, 'orders', 'tuned-js'));
  assert.equal(parseOptions(['--help']), 'help');
  assert.throws(() => parseOptions(['--size', '-1']), /--size/);
  assert.throws(() => parseOptions(['--distinct-keys', '15']), /multiple of 10/);
  assert.throws(() => parseOptions(['--bogus']));
});
