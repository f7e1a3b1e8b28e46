/**
 * The count phase of a batch that lies in shared memory already: one
 * command per worker, which claims partitions from a queue until none are
 * left, instead of one command (and one wake-up of the worker and of the
 * owner) per partition. A worker that finishes early claims more, so the
 * workers finish together even when partitions differ in cost or a worker
 * was woken late; partition k is always counted into partial table k,
 * whoever claims it, so results (float sums included) do not depend on
 * which worker counted what.
 *
 * The queue, Int32 words in a region of the shared kernel memory:
 *
 *   ┌──────┬──────┬───────────┬───────────┬─────────────┬─────────────────┬───────┬─────┐
 *   │ NEXT │ KIND │ DELIMITER │ KEY_FIELD │ VALUE_FIELD │ EXPECTED_FIELDS │ CACHE │  -  │  header
 *   └──────┴──────┴───────────┴───────────┴─────────────┴─────────────────┴───────┴─────┘
 *   then per partition k:  ┌───────┬───────┬─────┬───────┐
 *                          │ TABLE │ START │ END │ STATS │   (u32 pointers as i32 bits)
 *                          └───────┴───────┴─────┴───────┘
 *   NEXT: the next partition to claim (Atomics.add by the workers);
 *   KIND: Command.CountWords, Command.Delimited (with the delimited
 *   arguments beside it) or KNOWN_WORDS, the word count against the key
 *   cache at CACHE (known-words.ts: TABLE becomes a copy of the cache when
 *   the partition is claimed); TABLE: partial table k (the owner rewrites
 *   it after growing the table); STATS: partition k's delimited
 *   statistics, or its seen list (KNOWN_WORDS; rewritten too when grown).
 *
 * COUNT_QUEUE command (control-block.ts): PTR = the queue, LEN = the
 * partitions; TABLE = k + 1 to resume partition k at pointer STATS first
 * (after the owner grew its full table), 0 to start by claiming.
 * RESULT0 = k + 1 when partial table k (or its seen list) filled at pointer
 * RESULT1 (grow it and post again with that resume), 0 when the queue is
 * empty.
 */
import type { KernelInstance } from '../../kernels/kernel-instance.js';
import type { KnownWordsBatch } from '../../kernels/known-words.js';
import { LAYOUT } from '../../kernels/layout.js';
import { Command, LEN, PTR, RESULT0, RESULT1, STATS, TABLE, wordOf } from './control-block.js';

/** The queue's scratch region: workers claim from it, so a lost worker's queue is quarantined with it (a late claim must not take a partition of the retry). */
export const COUNT_QUEUE_SCRATCH = 'pool-count-queue';

const NEXT = 0;
const KIND = 1;
const DELIMITER = 2;
const KEY_FIELD = 3;
const VALUE_FIELD = 4;
const EXPECTED_FIELDS = 5;
const CACHE = 6;
const HEADER_WORDS = 8;
/** KIND of a word count against the key cache (not a command of its own: workers get COUNT_QUEUE). */
const KNOWN_WORDS = -1;
const PARTITION_WORDS = 4;
const P_TABLE = 0;
const P_START = 1;
const P_END = 2;
const P_STATS = 3;

/** What the partitions are counted with: the word count, or a delimited aggregation with its arguments. */
export type CountKind =
  | { readonly command: Command.CountWords; readonly known?: KnownWordsBatch }
  | { readonly command: Command.Delimited; readonly delimiterCode: number; readonly keyField: number; readonly valueField: number; readonly expectedFields: number };

/** One partition of the queue: its partial table, its bytes [start, end) (absolute pointers), its statistics region. */
export interface QueuedPartition {
  readonly table: number;
  readonly start: number;
  readonly end: number;
  readonly stats: number;
}

export function countQueueBytes(partitions: number): number {
  return (HEADER_WORDS + partitions * PARTITION_WORDS) * 4;
}

/** Writes a batch's queue at `ptr` (`memory` is a current view of the shared memory's buffer). */
export function writeCountQueue(memory: ArrayBufferLike, ptr: number, kind: CountKind, partitions: readonly QueuedPartition[]): void {
  const queue = new Int32Array(memory, ptr, countQueueBytes(partitions.length) / 4);
  queue[KIND] = kind.command;
  if (kind.command === Command.CountWords && kind.known !== undefined) {
    queue[KIND] = KNOWN_WORDS;
    queue[CACHE] = kind.known.cache | 0;
  }
  if (kind.command === Command.Delimited) {
    queue[DELIMITER] = kind.delimiterCode;
    queue[KEY_FIELD] = kind.keyField;
    queue[VALUE_FIELD] = kind.valueField;
    queue[EXPECTED_FIELDS] = kind.expectedFields;
  }
  partitions.forEach((p, k) => {
    const at = HEADER_WORDS + k * PARTITION_WORDS;
    queue[at + P_TABLE] = p.table | 0;
    queue[at + P_START] = p.start | 0;
    queue[at + P_END] = p.end | 0;
    queue[at + P_STATS] = p.stats | 0;
  });
  // Published by the post that follows (Atomics on SEQ), like every other command argument.
  Atomics.store(queue, NEXT, 0);
}

/** Points partition k at its grown partial table (the worker that claimed it is idle, waiting for the resume). */
export function setQueuedTable(memory: ArrayBufferLike, ptr: number, k: number, table: number): void {
  Atomics.store(new Int32Array(memory, ptr + (HEADER_WORDS + k * PARTITION_WORDS + P_TABLE) * 4, 1), 0, table | 0);
}

/** Points partition k at its grown seen list (KNOWN_WORDS; as setQueuedTable). */
export function setQueuedSeen(memory: ArrayBufferLike, ptr: number, k: number, seen: number): void {
  Atomics.store(new Int32Array(memory, ptr + (HEADER_WORDS + k * PARTITION_WORDS + P_STATS) * 4, 1), 0, seen | 0);
}

/** The worker's side of COUNT_QUEUE (see the module comment). */
export function runCountQueue(instance: KernelInstance, control: Int32Array, slot: number): void {
  const u32 = (field: number): number => Atomics.load(control, wordOf(slot, field)) >>> 0;
  const ptr = u32(PTR);
  const partitions = u32(LEN);
  // A view made now: the memory may have grown since the last command (views of the old size stay short).
  const queue = new Int32Array(instance.memory.u8().buffer, ptr, countQueueBytes(partitions) / 4);
  const kind = Atomics.load(queue, KIND);
  let k = u32(TABLE) - 1;
  let at = u32(STATS);
  let resuming = k >= 0;
  for (;;) {
    if (!resuming) {
      k = Atomics.add(queue, NEXT, 1);
      if (k >= partitions) {
        Atomics.store(control, wordOf(slot, RESULT0), 0);
        return;
      }
    }
    const record = HEADER_WORDS + k * PARTITION_WORDS;
    const table = Atomics.load(queue, record + P_TABLE) >>> 0;
    const end = Atomics.load(queue, record + P_END) >>> 0;
    const stats = Atomics.load(queue, record + P_STATS) >>> 0;
    if (!resuming) {
      at = Atomics.load(queue, record + P_START) >>> 0;
      if (kind === KNOWN_WORDS) instance.exports.tableCopyKeys(table, Atomics.load(queue, CACHE) >>> 0);
      else instance.exports.tableClear(table);
      if (kind === Command.Delimited) instance.memory.u8().fill(0, stats, stats + LAYOUT.LAYOUT_STATS_BYTES);
    }
    resuming = false;
    if (kind === Command.Delimited) {
      at += instance.exports.aggregateDelimited(
        table, at, end - at, Atomics.load(queue, DELIMITER), Atomics.load(queue, KEY_FIELD), Atomics.load(queue, VALUE_FIELD),
        Atomics.load(queue, EXPECTED_FIELDS), stats,
      ) >>> 0;
    } else if (kind === KNOWN_WORDS) {
      at += instance.exports.wordCountListed(table, stats, at, end - at) >>> 0;
    } else {
      at += instance.wordCount(table, at, end - at);
    }
    if (at < end) {
      Atomics.store(control, wordOf(slot, RESULT0), k + 1);
      Atomics.store(control, wordOf(slot, RESULT1), at);
      return;
    }
  }
}
