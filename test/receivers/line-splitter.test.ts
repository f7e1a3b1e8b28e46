import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from '../../src/receivers/line-splitter.js';
import { Rng } from '../../src/corpus/prng.js';
import { randomChunks } from './random-chunks.js';

const encoder = new TextEncoder();

/** The definition the splitter must match: split the whole input at once, at '\n', "\r\n" or '\r' (Java's readLine). */
function referenceLines(bytes: Uint8Array, max: number): { lines: number[][]; oversize: number } {
  const lines: number[][] = [];
  let oversize = 0;
  let start = 0;
  const take = (from: number, to: number) => {
    if (to - from > max) oversize++;
    else lines.push(Array.from(bytes.subarray(from, to)));
  };
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 10 || bytes[i] === 13) {
      take(start, i);
      if (bytes[i] === 13 && bytes[i + 1] === 10) i++;
      start = i + 1;
    }
  }
  if (start < bytes.length) take(start, bytes.length);
  return { lines, oversize };
}

/** Random input rich in line ends, "\r\n", multi-byte UTF-8 and invalid bytes. */
function randomInput(rng: Rng, size: number): Uint8Array {
  const pieces = [encoder.encode('a'), encoder.encode('word '), encoder.encode('\n'), encoder.encode('\r\n'), encoder.encode('\r'), encoder.encode('长江'), encoder.encode('😀'), new Uint8Array([0xff]), new Uint8Array([0xc3])];
  const out: number[] = [];
  while (out.length < size) {
    const piece = pieces[rng.nextInt(pieces.length)] as Uint8Array;
    // Long runs without a newline so over-long lines occur.
    const repeat = rng.chance(0.05) ? rng.nextRange(1, 40) : 1;
    for (let r = 0; r < repeat; r++) out.push(...piece);
  }
  return Uint8Array.from(out);
}

function splitInChunks(chunks: Uint8Array[], max: number, useRuns = false) {
  const lines: number[][] = [];
  const dropped: number[] = [];
  const ends: number[] = [];
  let runs = 0;
  const splitter = new LineSplitter(
    (line) => {
      lines.push(Array.from(line));
      ends.push(splitter.lineEndOffset);
    },
    {
      maxLineBytes: max,
      onOversize: (n) => dropped.push(n),
      ...(useRuns
        ? {
            onRun: (run: Uint8Array, count: number) => {
              runs++;
              assert.equal(run[run.length - 1], 10, 'a run ends with a newline');
              assert.equal(run.indexOf(13), -1, 'a run holds no carriage return');
              assert.ok(run.length <= max, 'no line of a run can be over-long');
              assert.equal(count, run.filter((b) => b === 10).length);
              // Every line of the run ends where its '\n' is; the splitter reports the run's end.
              const at = splitter.lineEndOffset - run.length;
              let start = 0;
              for (let i = 0; i < run.length; i++) {
                if (run[i] !== 10) continue;
                lines.push(Array.from(run.subarray(start, i)));
                ends.push(at + i + 1);
                start = i + 1;
              }
            },
          }
        : {}),
    },
  );
  let peakBuffered = 0;
  const whole: number[] = [];
  for (const chunk of chunks) {
    splitter.push(chunk);
    peakBuffered = Math.max(peakBuffered, splitter.bufferedBytes);
    whole.push(...chunk);
  }
  splitter.flush();
  // Each line's end offset is just past its terminator (or the end of input), and the line sits right before it.
  for (let i = 0; i < ends.length; i++) {
    const end = ends[i] as number;
    const terminated = end > 0 && (whole[end - 1] === 10 || whole[end - 1] === 13);
    assert.ok(end === whole.length || terminated, `line ${i} ends at a line end`);
    const line = lines[i] as number[];
    let stop = terminated ? end - 1 : end;
    if (terminated && whole[end - 1] === 10 && whole[stop - 1] === 13) stop--;
    const body = whole.slice(stop - line.length, stop);
    assert.deepEqual(body, line, `line ${i} precedes its end offset`);
  }
  return { lines, dropped, peakBuffered, splitter, runs };
}

test('random chunkings give the same lines as splitting the whole input', () => {
  for (let seed = 1; seed <= 300; seed++) {
    const rng = new Rng(seed);
    const input = randomInput(rng, rng.nextInt(600));
    const max = [0, 1, 3, 8, 30, 1000][seed % 6] as number;
    const chunks = randomChunks(input, rng, rng.nextRange(1, 50));
    const expected = referenceLines(input, max);
    const actual = splitInChunks(chunks, max);
    assert.deepEqual(actual.lines, expected.lines, `seed ${seed}`);
    assert.equal(actual.dropped.length, expected.oversize, `seed ${seed}`);
    assert.equal(actual.splitter.oversizeCount, expected.oversize, `seed ${seed}`);
    assert.equal(actual.splitter.lineCount, expected.lines.length, `seed ${seed}`);
    assert.ok(actual.peakBuffered <= max + 1, `seed ${seed}: buffered ${actual.peakBuffered} bytes with max ${max}`);
  }
});

test('with onRun, runs of whole lines give exactly the same lines, offsets and drops', () => {
  let runs = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const rng = new Rng(seed);
    const input = randomInput(rng, rng.nextInt(600));
    const max = [0, 1, 3, 8, 30, 1000][seed % 6] as number;
    const chunks = randomChunks(input, rng, rng.nextRange(1, 200));
    const expected = referenceLines(input, max);
    const actual = splitInChunks(chunks, max, true);
    assert.deepEqual(actual.lines, expected.lines, `seed ${seed}`);
    assert.equal(actual.dropped.length, expected.oversize, `seed ${seed}`);
    assert.equal(actual.splitter.lineCount, expected.lines.length, `seed ${seed}`);
    runs += actual.runs;
  }
  assert.ok(runs > 20, `the bulk path was taken (${runs} runs)`);
});

test('a multi-byte character split across chunks arrives whole', () => {
  const bytes = encoder.encode('长江 黄河\n');
  for (let cut = 0; cut <= bytes.length; cut++) {
    const { lines } = splitInChunks([bytes.slice(0, cut), bytes.slice(cut)], 100);
    assert.deepEqual(lines.map((l) => new TextDecoder().decode(Uint8Array.from(l))), ['长江 黄河']);
  }
});

test('"\\r\\n" split between chunks loses only the terminator', () => {
  const { lines } = splitInChunks([encoder.encode('ab\r'), encoder.encode('\ncd\r\n')], 100);
  assert.deepEqual(lines, [Array.from(encoder.encode('ab')), Array.from(encoder.encode('cd'))]);
});

test('lone "\\r" ends a line, like Java\'s readLine; a "\\r" ending a chunk is emitted at once and its "\\n" skipped', () => {
  const seen: string[] = [];
  const splitter = new LineSplitter((line) => seen.push(new TextDecoder().decode(line)));
  splitter.push(encoder.encode('1,2,3.5\r4,5,6\r'));
  assert.deepEqual(seen, ['1,2,3.5', '4,5,6'], 'no waiting for the next chunk');
  splitter.push(encoder.encode('\nx\r\ry'));
  splitter.flush();
  assert.deepEqual(seen, ['1,2,3.5', '4,5,6', 'x', '', 'y']);
});

test('a "\\r"-only stream longer than maxLineBytes is cut into lines, not dropped as one', () => {
  const chunk = encoder.encode('word another\r'.repeat(1000));
  const { lines, dropped } = splitInChunks([chunk, chunk, chunk], 100, true);
  assert.equal(lines.length, 3000);
  assert.deepEqual(dropped, []);
});

test('a line of exactly maxLineBytes followed by "\\r\\n" is kept', () => {
  const { lines, dropped } = splitInChunks([encoder.encode('abcd\r'), encoder.encode('\n')], 4);
  assert.deepEqual(lines, [Array.from(encoder.encode('abcd'))]);
  assert.deepEqual(dropped, []);
});

test('a 10 MB line without newline is dropped with bounded memory, and the next line survives', () => {
  const max = 1 << 20;
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < 160; i++) chunks.push(chunk);
  chunks.push(encoder.encode('tail\nkept line\nlast'));
  const { lines, dropped, peakBuffered } = splitInChunks(chunks, max);
  assert.equal(dropped.length, 1);
  assert.ok((dropped[0] as number) > max);
  assert.ok(peakBuffered <= max + 1);
  assert.deepEqual(lines.map((l) => String.fromCharCode(...l)), ['kept line', 'last']);
});

test('flush emits the unterminated last line once, and nothing for empty input', () => {
  const seen: string[] = [];
  const splitter = new LineSplitter((line) => seen.push(new TextDecoder().decode(line)));
  splitter.flush();
  splitter.push(encoder.encode('x\ny'));
  splitter.flush();
  splitter.flush();
  assert.deepEqual(seen, ['x', 'y']);
});

test('empty lines are lines', () => {
  const { lines } = splitInChunks([encoder.encode('\n\r\n\n')], 10);
  assert.deepEqual(lines, [[], [], []]);
});

test('reset forgets a half-received line', () => {
  const seen: string[] = [];
  const splitter = new LineSplitter((line) => seen.push(new TextDecoder().decode(line)));
  splitter.push(encoder.encode('half'));
  splitter.reset();
  splitter.push(encoder.encode('whole\n'));
  assert.deepEqual(seen, ['whole']);
});

test('maxLineBytes is validated', () => {
  assert.throws(() => new LineSplitter(() => {}, { maxLineBytes: -1 }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
  assert.throws(() => new LineSplitter(() => {}, { maxLineBytes: 1.5 }), { code: 'ERR_SLUICE_INVALID_ARGUMENT' });
});
