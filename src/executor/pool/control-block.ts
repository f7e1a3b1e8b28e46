/**
 * The pool's control block: Int32 words in a region of the shared kernel
 * memory (handed out by the owner's RegionAllocator), read and written with
 * Atomics by the owning thread and the workers. Only commands and small
 * integers (pointers, lengths, counts) pass through it; batch data stays in
 * its kernel regions.
 *
 *   word 0        EVENTS: bumped (and notified) by a worker after every state
 *                 change; the owner waits on it
 *   word 1..15    unused
 *   then one slot of SLOT_WORDS words per worker (worker i at 16 + i·SLOT_WORDS):
 *   ┌──────┬───────┬─────────┬──────┬─────┬─────┬────┬────┬────┬────┬───────┬─────────┬─────────┬──────────┬─────────┐
 *   │ SEQ  │ STATE │ COMMAND │ TABLE│ PTR │ LEN │ A0 │ A1 │ A2 │ A3 │ STATS │ RESULT0 │ RESULT1 │ EXIT_REQ │ RUN_US  │
 *   └──────┴───────┴─────────┴──────┴─────┴─────┴────┴────┴────┴────┴───────┴─────────┴─────────┴──────────┴─────────┘
 *   SEQ: bumped by the owner to post a command (the worker waits on it);
 *   STATE: see WorkerState; pointers and lengths are u32 stored as i32 bits;
 *   RUN_US: microseconds the worker spent running its last command (wake-up
 *   not included), for the benchmarks' critical-path model;
 *   words 16..SLOT_WORDS-1: MESSAGE, why the last command failed (u32 byte
 *   length, then UTF-8), written by the worker before it signals Failed.
 *
 * Commands and their arguments:
 *   COUNT_WORDS  TABLE ← words of [PTR, PTR+LEN); A0 = 1 to clear TABLE first.
 *                RESULT0 = bytes consumed (< LEN: TABLE is full, grow and resume).
 *   DELIMITED    TABLE ← lines of [PTR, PTR+LEN) split by A0; A1 key field,
 *                A2 value field, A3 expected fields (-1 any); STATS counters;
 *                A0's bit 8 set = clear TABLE and STATS first. RESULT0 as above.
 *   MERGE        TABLE ← hash partition A0 of A1 of the LEN tables whose
 *                pointers are u32s at PTR, from table A2 at arena offset A3;
 *                STATS = 1 to clear TABLE first. RESULT0 = table index where it
 *                stopped (LEN when done), RESULT1 = arena offset there.
 *   FOLD_EXISTING  TABLE ← the entries in slice A0 of A1 of the arena of the
 *                table at PTR whose keys TABLE holds already; the others'
 *                arena offsets are listed at A2. RESULT0 = how many listed.
 *   FOLD_RANGE   hash range A0 of A1 of the LEN partial tables whose pointers
 *                are u32s at PTR: keys partial 0 has folded into it, the
 *                others into TABLE (tableFoldRange), resuming from the range
 *                state at STATS. RESULT0 = 1 done, 0 when TABLE must grow.
 *   ORDER_RUNS   A0 = 0: the entries of TABLE listed at A2 (tableList);
 *                A0 = k > 0: the keys first seen in partial k, from the LEN
 *                overflow tables at PTR and their range states at A1 (STATS
 *                bytes apart), listed at A2 in origin order, sort scratch at
 *                A3 (tableOrderRuns). RESULT0 = how many listed.
 *   COUNT_QUEUE  partitions claimed from the queue at PTR (LEN of them) until it
 *                is empty, each into its own partial table; see count-queue.ts
 *                for the queue, the resume after a grow and the results.
 *   KNOWN_TOTALS knownWordsTotals(PTR, A0, A1): the totals of cache ids
 *                [A0, A1) of a batch counted against the key cache, from
 *                the arguments block at PTR (layout.ts, KNOWN_*).
 *   KNOWN_LIST   knownWordsList(PTR, LEN): partition LEN's share of that
 *                batch's result. RESULT0 = how many words it wrote.
 *   LOOKUP_KEYS  ids (i32 at A2) and values (f64 at A3) of slice A0 of A1 of
 *                the LEN entries of TABLE listed at PTR, from the key cache
 *                at STATS (keyCacheLookup). RESULT0 = keys not in the cache.
 */
export const HEADER_WORDS = 16;
export const SLOT_WORDS = 80;
export const EVENTS = 0;

export const SEQ = 0;
export const STATE = 1;
export const COMMAND = 2;
export const TABLE = 3;
export const PTR = 4;
export const LEN = 5;
export const A0 = 6;
export const A1 = 7;
export const A2 = 8;
export const A3 = 9;
export const STATS = 10;
export const RESULT0 = 11;
export const RESULT1 = 12;
/** Test hook: a worker that finds this non-zero when it takes a command exits with it as its code. */
export const EXIT_REQUEST = 13;
/** Microseconds the last command ran on the worker (written before it signals). */
export const RUN_US = 14;

/** First word of the failure message (its byte length; the bytes follow). */
export const MESSAGE = 16;
const MESSAGE_MAX_BYTES = (SLOT_WORDS - MESSAGE - 1) * 4;

export const enum WorkerState {
  Starting = 0,
  /** Started, or finished its last command (results in RESULT0/1). */
  Ready = 1,
  Busy = 2,
  /** The last command threw; the message follows on the worker's port. */
  Failed = 3,
  /** The thread is exiting (it called exit, or an error went uncaught). */
  Exited = 4,
}

export const enum Command {
  CountWords = 1,
  Delimited = 2,
  Merge = 3,
  FoldExisting = 4,
  LookupKeys = 5,
  FoldRange = 6,
  OrderRuns = 7,
  CountQueue = 8,
  KnownTotals = 9,
  KnownList = 10,
}

export const DELIMITED_CLEAR = 0x100;

export function controlBlockBytes(slots: number): number {
  return (HEADER_WORDS + slots * SLOT_WORDS) * 4;
}

/** Index of word `field` of worker slot `slot`. */
export function wordOf(slot: number, field: number): number {
  return HEADER_WORDS + slot * SLOT_WORDS + field;
}

/** Records a state change and wakes the owner. */
export function signal(control: Int32Array, slot: number, state: WorkerState): void {
  Atomics.store(control, wordOf(slot, STATE), state);
  Atomics.add(control, EVENTS, 1);
  Atomics.notify(control, EVENTS);
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Stores why a command failed (truncated to the slot's message area). */
export function writeMessage(control: Int32Array, slot: number, message: string): void {
  const at = wordOf(slot, MESSAGE);
  const bytes = encoder.encode(message).subarray(0, MESSAGE_MAX_BYTES);
  new Uint8Array(control.buffer, control.byteOffset + (at + 1) * 4, bytes.length).set(bytes);
  Atomics.store(control, at, bytes.length);
}

/** The last message a worker stored (an empty string when none). */
export function readMessage(control: Int32Array, slot: number): string {
  const at = wordOf(slot, MESSAGE);
  const length = Math.min(Atomics.load(control, at), MESSAGE_MAX_BYTES);
  // A copy: TextDecoder refuses views of shared memory in some hosts.
  return decoder.decode(new Uint8Array(control.buffer, control.byteOffset + (at + 1) * 4, length).slice(), { stream: false });
}
