/**
 * Turns measurements into result rows (throughput and ratios against the
 * baselines measured in the same run) and prints them as a table.
 */
import type { CorpusName } from '../src/corpus/index.js';
import { IDIOMATIC, TUNED } from './impls.js';
import type { Measurement } from './measure.js';

export type Operation = 'wordCount' | 'aggregateDelimited';

/** What a corpus holds, counted once by the reference. */
export interface CorpusFacts {
  readonly corpus: CorpusName;
  readonly operation: Operation;
  readonly bytes: number;
  /** Words (word-count corpora) or null (delimited corpora). */
  readonly words: number | null;
  /** Lines. */
  readonly records: number;
}

/** One JSON object per measured case (`--json`). */
export interface BenchRow extends CorpusFacts {
  readonly impl: string;
  readonly medianMs: number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly samples: number;
  readonly rmePercent: number;
  /** MB = 10^6 bytes, from the median. */
  readonly mbPerSec: number;
  readonly wordsPerSec: number | null;
  readonly recordsPerSec: number;
  /** This case's throughput over the baseline's on the same corpus in the same run (null if not measured). */
  readonly ratioVsIdiomatic: number | null;
  readonly ratioVsTunedJs: number | null;
}

export function toRow(facts: CorpusFacts, impl: string, m: Measurement): BenchRow {
  const seconds = m.medianMs / 1000;
  return {
    ...facts,
    impl,
    medianMs: m.medianMs,
    meanMs: m.meanMs,
    minMs: m.minMs,
    samples: m.samples,
    rmePercent: m.rmePercent,
    mbPerSec: facts.bytes / 1e6 / seconds,
    wordsPerSec: facts.words === null ? null : facts.words / seconds,
    recordsPerSec: facts.records / seconds,
    ratioVsIdiomatic: null,
    ratioVsTunedJs: null,
  };
}

/** Fills the ratio columns from the baseline rows of the same corpus. */
export function withRatios(rows: readonly BenchRow[]): BenchRow[] {
  const baseline = (corpus: CorpusName, impl: string): BenchRow | undefined =>
    rows.find((r) => r.corpus === corpus && r.impl === impl);
  return rows.map((row) => {
    const idiomatic = baseline(row.corpus, IDIOMATIC);
    const tuned = baseline(row.corpus, TUNED);
    return {
      ...row,
      ratioVsIdiomatic: idiomatic === undefined ? null : row.mbPerSec / idiomatic.mbPerSec,
      ratioVsTunedJs: tuned === undefined ? null : row.mbPerSec / tuned.mbPerSec,
    };
  });
}

const COLUMNS = ['corpus', 'impl', 'MB', 'median ms', 'MB/s', 'M words/s', 'M lines/s', '× idiomatic', '× tuned-js', 'samples', '±%'];
/** Columns after the first two are numbers: right-aligned. */
const TEXT_COLUMNS = 2;

function cells(r: BenchRow): string[] {
  return [
    r.corpus,
    r.impl,
    (r.bytes / 1e6).toFixed(1),
    r.medianMs.toFixed(1),
    r.mbPerSec.toFixed(1),
    r.wordsPerSec === null ? '-' : (r.wordsPerSec / 1e6).toFixed(2),
    (r.recordsPerSec / 1e6).toFixed(2),
    ratio(r.ratioVsIdiomatic),
    ratio(r.ratioVsTunedJs),
    String(r.samples),
    r.rmePercent.toFixed(1),
  ];
}

/** An aligned plain-text table for the terminal. */
export function formatTable(rows: readonly BenchRow[]): string {
  const body = rows.map(cells);
  const widths = COLUMNS.map((h, c) => Math.max(h.length, ...body.map((line) => (line[c] ?? '').length)));
  const format = (line: readonly string[]): string =>
    line.map((cell, c) => (c < TEXT_COLUMNS ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ');
  return [format(COLUMNS), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(format)].join('\n');
}

/** The same table in Markdown (`--markdown`), for BENCHMARKS.md. */
export function formatMarkdown(rows: readonly BenchRow[]): string {
  const line = (values: readonly string[]): string => `| ${values.join(' | ')} |`;
  const rule = COLUMNS.map((_, c) => (c < TEXT_COLUMNS ? '---' : '---:'));
  return [line(COLUMNS), line(rule), ...rows.map((r) => line(cells(r)))].join('\n');
}

function ratio(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(2)}×`;
}
