/**
 * The parallel hot path: worker threads sharing ONE WebAssembly memory.
 *
 *   owner thread                                   worker i (of n)
 *   ────────────                                   ───────────────
 *   cut the batch into partitions at record
 *   boundaries; a batch in shared memory already
 *   (allocInput: the receivers write it there):
 *   post COUNT_QUEUE, once per worker ─────────▶  claim partitions until none
 *                                                  are left, partition k into
 *                                                  partial table k
 *   else copy partition i into the input region
 *   and post COUNT/DELIMITED(i) ────────────────▶  count into partial table i
 *   grow a partial table that filled, resume ◀───  report "full at offset"
 *   a word count the key cache knows ('auto';       (KNOWN_WORDS: partition k into
 *   known-words.ts): no merge, no lookup:            a copy of the cache's table)
 *     post KNOWN_TOTALS(ids slice i of n) ─────▶  add the copies' counts of
 *                                                  those ids, offset by offset
 *     post KNOWN_LIST(k) ──────────────────────▶  list partition k's words no
 *                                                  earlier partition had
 *     join the lists, keys from the cache
 *   else one of three merges (mergeStrategy):
 *   ranges (the default): post FOLD_RANGE(i of n) ▶  fold hash range i of
 *                                                  partials 1.. into partial 0
 *                                                  or overflow table i
 *     post ORDER_RUNS(k) ───────────────────────▶  list partial 0 (k = 0) or
 *                                                  sort the keys first seen in
 *                                                  partial k into the list
 *   fold: for each partial k > 0, in order,
 *     post FOLD_EXISTING(slice i of n) ─────────▶  fold slice i of partial k
 *                                                  into the keys partial 0 has
 *     add the keys partial 0 lacked ◀───────────  list them
 *     read partial 0
 *   hash targets:
 *     post MERGE(hash part i of n) ─────────────▶  fold bucket i of partials
 *                                                  0..n-1 into target table i
 *     read the targets as one list in first-occurrence order
 *   export: post LOOKUP_KEYS(slice i of n) ─────▶  look the result's keys up
 *   meanwhile make the result's arrays             in the owner's key cache
 *   keys: cached strings, the misses decoded in one bulk decode
 *
 * Commands and replies go through the control block (control-block.ts) with
 * Atomics.wait/notify; no batch data is ever posted. The owner thread is the
 * only one that allocates or grows memory; workers see growth through their
 * refreshed views. Calls are synchronous (the owner blocks in Atomics.wait
 * while workers run), so the pool is a drop-in `Kernels` for the engine:
 * `new StreamingContext({ batchIntervalMs, kernels: pool })`. The owner must
 * be a thread that may block: Node's main thread or any worker, a browser
 * Worker (not a page's main thread). Threads come from the host through a
 * PoolThreadLauncher (src/node/worker-pool, src/browser).
 *
 * This file holds the owner's side of the diagram's count phase, the
 * threads and the attempts; the rest is beside it: the count queue in
 * count-queue.ts, the merges in
 * merge-strategies.ts, the known words' result in known-steps.ts, the export's lookup in key-lookup.ts (both run their
 * tasks (pool-task.ts) through this pool), the lent regions in
 * lent-inputs.ts, options and stats in pool-options.ts.
 *
 * Failure: a worker whose thread exits, whose command throws, or that
 * reports nothing for `stallTimeoutMs` (a thread terminated from outside
 * cannot report its own death) is replaced and the batch is run again from
 * its input, which is still in shared memory. A batch that fails
 * MAX_ATTEMPTS times throws a JobError whose cause names the last failure.
 */
import type { AggregateTable, DelimitedResult, DelimitedSpec, InputRegion, InputRegionSource, KeyedValues, Reducer } from '../../kernels/api.js';
import { IllegalStateError, InvalidArgumentError, JobError } from '../../errors.js';
import type { Executor } from '../executor.js';
import { checkDelimitedSpec } from '../../kernels/delimited-spec.js';
import { KernelInstance, createKernelMemory } from '../../kernels/kernel-instance.js';
import { MAX_PAGES } from '../../kernels/kernel-memory.js';
import { INPUT_PADDING, LAYOUT, VALUE_F64, VALUE_I64, geometryFor, type ValueKind } from '../../kernels/layout.js';
import { embeddedModule } from '../../kernels/load.js';
import { LOOKUP_OUTPUT_SCRATCH, type KeyLookup } from '../../kernels/key-cache.js';
import { KNOWN_OUTPUT_SCRATCH, KnownWordCounts, type KnownWordsSteps } from '../../kernels/known-words.js';
import { exportByOrigin } from '../../kernels/ordered-export.js';
import { requireCountingTable } from '../../kernels/table-rules.js';
import { WasmKernels } from '../../kernels/wasm-kernels.js';
import { allocTable, exportTable, growTable, type KernelContext } from '../../kernels/wasm-table.js';
import {
  Command, DELIMITED_CLEAR, EVENTS, EXIT_REQUEST, RESULT0, RESULT1, RUN_US, SEQ, STATE, MESSAGE, WorkerState, controlBlockBytes, readMessage, wordOf,
} from './control-block.js';
import { COUNT_QUEUE_SCRATCH, countQueueBytes, setQueuedSeen, setQueuedTable, writeCountQueue, type CountKind } from './count-queue.js';
import { parallelKeyLookup } from './key-lookup.js';
import { parallelKnownSteps } from './known-steps.js';
import { LentInputs } from './lent-inputs.js';
import { PARTIAL_SEED, foldIntoFirst, foldPendingScratch, mergeIntoTargets, mergeKind, type PurposeTables } from './merge-strategies.js';
import { RANGE_MERGE_SCRATCH, exportRanges, mergeByRanges } from './range-merge.js';
import { afterNewline, atWhitespace, partitionEnds, type BoundaryRule } from './partitions.js';
import {
  DEFAULT_MIN_BYTES_PER_KEY, DEFAULT_MIN_PARTITION_BYTES, DEFAULT_PARTITIONS, DEFAULT_STALL_TIMEOUT_MS, MERGE_STRATEGIES,
  type MergeStrategy, type PoolPhase, type WorkerPoolHooks, type WorkerPoolOptions, type WorkerPoolStats,
} from './pool-options.js';
import { writeCommand, type CommandWords, type Task, type TaskRunner } from './pool-task.js';
import type { PoolThread, PoolThreadLauncher } from './pool-thread.js';

export type { MergeStrategy, PoolPhase, WorkerPoolHooks, WorkerPoolOptions, WorkerPoolStats } from './pool-options.js';

/** Attempts per batch before it fails the job. */
export const MAX_ATTEMPTS = 3;
const START_TIMEOUT_MS = 30_000;
/** Control slots per worker: a replaced worker's slot is reused only after its thread has exited. */
const SLOTS_PER_WORKER = 4;
const STARTING_GEOMETRY = geometryFor(4096, 4096 * 8);
/**
 * With a core to spare for the owner thread, each partition is copied and
 * counted in up to this many chunks (of at least minPartitionBytes), so a
 * worker starts after its first chunk is copied. Without one, copying while
 * every core counts only slows the workers down (measured), so partitions
 * are copied whole.
 */
const CHUNKS_PER_PARTITION = 4;

/**
 * A batch in the shared input region. Partition k ends at ends[k] and is cut
 * into chunks ending at chunkEnds[k] (record boundaries too); `copied` holds
 * the chunks already in shared memory, as `${k}:${c}`.
 */
interface SharedInput {
  readonly ptr: number;
  readonly bytes: Uint8Array;
  /** The bytes are in a region lent by allocInput(): nothing to copy. */
  readonly inPlace: boolean;
  readonly ends: readonly number[];
  readonly chunkEnds: readonly (readonly number[])[];
  readonly copied: Set<string>;
}

/** A worker was lost during an attempt (the attempt is retried on a replacement). */
class WorkerLostError extends Error {
  override readonly name = 'WorkerLostError';
}

export class SharedMemoryPool implements Executor, InputRegionSource {
  readonly kind = 'wasm' as const;
  readonly parallelism: number;
  readonly stats: WorkerPoolStats = { parallelBatches: 0, inlineBatches: 0, mergedBatches: 0, foldedBatches: 0, rangeMergedBatches: 0, knownWordBatches: 0, copiedBytes: 0, retries: 0, replacedWorkers: 0, countMs: 0, mergeMs: 0, exportMs: 0 };
  /** Kernels on the owner thread, on the same shared memory (tiny batches, tables, growth). */
  readonly local: WasmKernels;
  readonly memory: WebAssembly.Memory;
  private readonly module: WebAssembly.Module;
  private readonly maximumPages: number;
  private readonly minPartitionBytes: number;
  private readonly stallTimeoutMs: number;
  private readonly minBytesPerKey: number;
  private readonly chunksPerPartition: number;
  private readonly mergeStrategy: MergeStrategy;
  private readonly hooks: WorkerPoolHooks | undefined;
  private readonly controlPtr: number;
  private readonly control: Int32Array;
  private readonly freeSlots: number[] = [];
  private readonly handles: PoolThread[] = [];
  /** Started threads waiting to replace a lost worker (hosts that cannot start threads while the owner blocks). */
  private readonly spares: PoolThread[] = [];
  private readonly partitions: number;
  private readonly tables = new Map<string, PurposeTables>();
  private attempt = 0;
  /** Parallel rounds run so far (hook events name theirs). */
  private rounds = 0;
  private readonly lent = new LentInputs();
  /** What the merge strategies and the key lookup see of the pool: its memory, its workers, and run(). */
  private readonly runner: TaskRunner;
  private readonly lookupKeys: KeyLookup;
  /** Word counts against the key cache (the regions the workers count into). */
  private readonly knownWords: KnownWordCounts;
  private readonly knownSteps: KnownWordsSteps;
  private closed = false;

  /** `launcher` starts worker threads on the host's thread API; `defaultWorkers` is the host's core count. */
  constructor(options: WorkerPoolOptions, private readonly launcher: PoolThreadLauncher, defaultWorkers: number) {
    const workers = options.workers ?? defaultWorkers;
    if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
      throw new InvalidArgumentError(`workers must be an integer in [1, 256], got ${String(workers)}`);
    }
    this.parallelism = workers;
    this.partitions = options.partitions ?? Math.max(DEFAULT_PARTITIONS, workers);
    if (!Number.isInteger(this.partitions) || this.partitions < 1 || this.partitions > 4096) {
      throw new InvalidArgumentError(`partitions must be an integer in [1, 4096], got ${String(options.partitions)}`);
    }
    this.maximumPages = Math.min(options.maximumPages ?? MAX_PAGES, MAX_PAGES);
    this.minPartitionBytes = Math.max(1, options.minPartitionBytes ?? DEFAULT_MIN_PARTITION_BYTES);
    this.stallTimeoutMs = options.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS;
    this.minBytesPerKey = options.minBytesPerKey ?? DEFAULT_MIN_BYTES_PER_KEY;
    this.mergeStrategy = options.mergeStrategy ?? 'auto';
    if (!MERGE_STRATEGIES.includes(this.mergeStrategy)) {
      throw new InvalidArgumentError(`mergeStrategy must be one of ${MERGE_STRATEGIES.map((m) => `'${m}'`).join(', ')}, got ${String(options.mergeStrategy)}`);
    }
    this.chunksPerPartition = workers < defaultWorkers ? CHUNKS_PER_PARTITION : 1;
    this.hooks = options.hooks;
    const initialPages = options.initialPages === undefined ? {} : { initialPages: options.initialPages };
    this.memory = createKernelMemory({ shared: true, ...initialPages, maximumPages: this.maximumPages });
    this.module = embeddedModule(true);
    this.local = new WasmKernels(KernelInstance.instantiateSync(this.module, this.memory, this.maximumPages));
    this.runner = { context: this.context, parallelism: this.parallelism, run: (phase, tasks, meanwhile) => this.run(phase, tasks, meanwhile) };
    this.lookupKeys = parallelKeyLookup(this.runner);
    this.knownWords = new KnownWordCounts(this.context);
    this.knownSteps = parallelKnownSteps(this.runner);
    const slots = workers * SLOTS_PER_WORKER;
    this.controlPtr = this.context.allocator.alloc(controlBlockBytes(slots));
    this.context.instance.memory.u8().fill(0, this.controlPtr, this.controlPtr + controlBlockBytes(slots));
    this.control = new Int32Array(this.memory.buffer, this.controlPtr, controlBlockBytes(slots) / 4);
    for (let slot = slots - 1; slot >= 0; slot--) this.freeSlots.push(slot);
    for (let i = 0; i < workers; i++) this.handles.push(this.spawn());
    if (!launcher.startsWhileOwnerBlocks) this.spares.push(this.spawn());
  }

  private get context(): KernelContext {
    return this.local.context;
  }

  /**
   * Lends a region of the shared memory for batch bytes (InputRegionSource):
   * the engine's receivers build their batches in such regions when the pool
   * is the context's kernels, so a batch is written once, as it arrives, and
   * wordCount / aggregateDelimited on its bytes (or any part of them) copy
   * nothing. The region stays valid until released; the region carries
   * INPUT_PADDING readable bytes past `byteLength`.
   */
  allocInput(byteLength: number): InputRegion {
    this.open();
    if (!Number.isInteger(byteLength) || byteLength < 0) throw new InvalidArgumentError(`allocInput needs a byte length, got ${String(byteLength)}`);
    return this.lent.alloc(this.context, byteLength, () => this.closed);
  }

  /** Input regions lent by allocInput() and not released yet. */
  get lentInputRegions(): number {
    return this.lent.size;
  }

  /** Settles once every worker has instantiated the kernels (batches also wait for this on their own). */
  async ready(): Promise<void> {
    const deadline = Date.now() + START_TIMEOUT_MS;
    const threads = [...this.handles, ...this.spares];
    while (threads.some((h) => this.stateOf(h) === WorkerState.Starting && h.lostReason === undefined)) {
      if (Date.now() > deadline) throw new JobError(`Worker threads did not start within ${START_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const failed = threads.find((h) => this.stateOf(h) !== WorkerState.Ready);
    if (failed !== undefined) {
      throw new JobError(`A worker thread failed to start: ${this.failureOf(failed) ?? 'unknown reason'}`);
    }
  }

  tokenize(bytes: Uint8Array): { starts: Int32Array; ends: Int32Array; count: number } {
    return this.open().tokenize(bytes);
  }

  hash64(bytes: Uint8Array, seed?: number): bigint {
    return this.open().hash64(bytes, seed);
  }

  createTable(reducer: Reducer): AggregateTable {
    return this.open().createTable(reducer);
  }

  wordCount(bytes: Uint8Array): KeyedValues {
    const local = this.open();
    if (bytes.length < this.minPartitionBytes) {
      this.stats.inlineBatches++;
      return local.wordCount(bytes);
    }
    const tables = this.tablesFor('words', VALUE_I64, 'sum');
    const input = this.placeInput(bytes, this.partitionsFor(tables), atWhitespace);
    return this.withRetries('word count', () => {
      // Against the key cache when it knows the stream's words (no merge, no lookup); only a batch
      // in place is counted through the queue, which is what passes a worker its count arrays.
      const partitions = input.ends.length;
      const smallest = Math.min(...input.ends.map((end, k) => end - (k === 0 ? 0 : (input.ends[k - 1] as number))));
      const known = input.inPlace && partitions > 1 && this.mergeStrategy === 'auto' ? this.knownWords.begin(partitions, smallest) : undefined;
      const partials = this.countPartitions(input, tables, { command: Command.CountWords, known });
      if (known === undefined) return this.mergeAndExport(partials, tables);
      const result = this.timedExport(() => this.knownWords.finish(known, this.knownSteps));
      this.stats.mergedBatches++;
      this.stats.knownWordBatches++;
      return result;
    });
  }

  wordCountInto(table: AggregateTable, bytes: Uint8Array): void {
    requireCountingTable(table.reducer);
    table.mergeValues(this.wordCount(bytes));
  }

  aggregateDelimited(bytes: Uint8Array, spec: DelimitedSpec): DelimitedResult {
    const local = this.open();
    const checked = checkDelimitedSpec(spec);
    if (bytes.length < this.minPartitionBytes) {
      this.stats.inlineBatches++;
      return local.aggregateDelimited(bytes, spec);
    }
    const tables = this.tablesFor(`delimited-${spec.reducer}`, VALUE_F64, spec.reducer);
    const input = this.placeInput(bytes, this.partitionsFor(tables), afterNewline);
    return this.withRetries('delimited aggregation', () => {
      const partials = this.countPartitions(input, tables, {
        command: Command.Delimited, delimiterCode: checked.delimiterCode, keyField: checked.keyField, valueField: checked.valueField, expectedFields: checked.expectedFields,
      });
      const malformed = this.malformedLines(tables, partials.length);
      return { result: this.mergeAndExport(partials, tables), malformed };
    });
  }

  aggregateDelimitedInto(table: AggregateTable, bytes: Uint8Array, spec: DelimitedSpec): { malformed: number } {
    const { result, malformed } = this.aggregateDelimited(bytes, { ...spec, reducer: table.reducer });
    table.mergeValues(result);
    return { malformed };
  }

  /** Ends every worker thread and waits for them to exit. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Its strings can go now, whoever still holds the pool object.
    this.context.keyCache.dispose(this.context);
    await Promise.all([...this.handles, ...this.spares].map((h) => h.close()));
  }

  private open(): WasmKernels {
    if (this.closed) throw new IllegalStateError('This worker pool was closed; create a new one');
    return this.local;
  }

  /**
   * How many partitions to cut the next batch into. A float sum depends on
   * the cut (addition is not associative), so it is always cut into the same
   * `partitions`, whatever the worker count: every worker count gives the
   * same bits. Integer counts, min and max do not: one partition per worker,
   * or a single one while batches are mostly distinct keys (the last batch
   * had fewer than minBytesPerKey bytes per key of its partial tables), when
   * merging would cost about as much as counting again.
   */
  private partitionsFor(tables: PurposeTables): number {
    if (tables.valueKind === VALUE_F64 && tables.reducer === 'sum') return this.partitions;
    return tables.lastBytesPerKey < this.minBytesPerKey ? 1 : this.parallelism;
  }

  /**
   * Where a batch is read from: in place when it lies in this pool's memory
   * (lent by allocInput), else the reused input region,
   * into which partitions are copied later. The kernels mask whatever they
   * read in the INPUT_PADDING bytes past the end: a lent batch may be part
   * of a region, followed by other data, which is left as it is.
   */
  private placeInput(bytes: Uint8Array, parts: number, boundary: BoundaryRule): SharedInput {
    const inPlace = this.lent.contains(bytes);
    const ptr = inPlace ? bytes.byteOffset : this.context.scratch.get('pool-input', bytes.length + INPUT_PADDING);
    if (!inPlace) this.context.instance.memory.u8().fill(0, ptr + bytes.length, ptr + bytes.length + INPUT_PADDING);
    const ends = partitionEnds(bytes, parts, this.minPartitionBytes, boundary);
    // Chunks only let counting overlap copying: a batch in place is posted one command per partition,
    // since every extra command costs a worker wake-up (the 1-worker pool paid 4 per partition).
    const chunks = inPlace ? 1 : this.chunksPerPartition;
    const chunkEnds = ends.map((end, k) => {
      const start = k === 0 ? 0 : (ends[k - 1] as number);
      return partitionEnds(bytes.subarray(start, end), chunks, this.minPartitionBytes, boundary).map((e) => e + start);
    });
    return { ptr, bytes, inPlace, ends, chunkEnds, copied: new Set() };
  }

  /**
   * Copies chunk c of partition k into shared memory (once per batch). A
   * worker is posted one chunk at a time, each copied just before it is
   * posted, so workers count while later chunks are still being copied: a
   * kernel may read up to 15 bytes past its chunk's end, but masks them
   * out, so bytes still being written there never change its result.
   */
  private copyChunk(input: SharedInput, k: number, c: number): void {
    const key = `${k}:${c}`;
    if (input.inPlace || input.copied.has(key)) return;
    const chunks = input.chunkEnds[k] as readonly number[];
    const start = c > 0 ? (chunks[c - 1] as number) : k > 0 ? (input.ends[k - 1] as number) : 0;
    this.context.instance.memory.u8().set(input.bytes.subarray(start, chunks[c]), input.ptr + start);
    input.copied.add(key);
    this.stats.copiedBytes += (chunks[c] as number) - start;
  }

  private withRetries<T>(what: string, attempt: () => T): T {
    for (this.attempt = 1; ; this.attempt++) {
      this.replaceLostWorkers();
      try {
        const result = attempt();
        this.stats.parallelBatches++;
        return result;
      } catch (error) {
        if (!(error instanceof WorkerLostError)) {
          // E.g. memory exhausted while growing a table: all workers are idle (run() waited for
          // them); let the tables go so that the next batch starts from lean regions.
          this.releaseTables();
          throw error;
        }
        if (this.attempt >= MAX_ATTEMPTS) {
          throw new JobError(
            `The batch's ${what} failed ${MAX_ATTEMPTS} times because worker threads were lost; last: ${error.message}. ` +
              'Look at `cause`; a worker that keeps dying usually means the host is out of memory or threads.',
            { cause: error },
          );
        }
        this.stats.retries++;
      }
    }
  }

  /** Copies the chunks not copied yet, one per step, chunk by chunk across partitions, so every worker's next chunk is there early. */
  private *copyRemainingChunks(input: SharedInput): Generator<void> {
    const most = Math.max(...input.chunkEnds.map((chunks) => chunks.length));
    for (let chunk = 0; chunk < most; chunk++) {
      for (let k = 0; k < input.ends.length; k++) {
        if (chunk < (input.chunkEnds[k] as readonly number[]).length) {
          this.copyChunk(input, k, chunk);
          yield;
        }
      }
    }
  }

  /**
   * Phase 1: partition k goes into partial table k. A batch in place is
   * counted through a queue (count-queue.ts): one command per worker, each
   * claiming partitions until none are left. A copied batch is posted chunk
   * by chunk, each chunk copied just before it is posted: worker w counts
   * partitions w, w+n, w+2n, ... one after the other. Returns the partial
   * tables in partition order.
   */
  private countPartitions(input: SharedInput, tables: PurposeTables, kind: CountKind): number[] {
    const partitions = input.ends.length;
    const { partials } = tables;
    while (partials.length < partitions) partials.push(allocTable(this.context, STARTING_GEOMETRY, tables.valueKind, tables.reducer, PARTIAL_SEED));
    // Word counts cut one partition per worker, float sums `partitions`: room for the larger.
    if (tables.stats === 0) tables.stats = this.context.allocator.alloc(Math.max(this.partitions, this.parallelism) * LAYOUT.LAYOUT_STATS_BYTES);
    const workers = Math.min(this.parallelism, partitions);
    const started = performance.now();
    // Counted against the key cache, the result's arrays are made meanwhile (see KnownWordCounts.prepare).
    const known = kind.command === Command.CountWords ? kind.known : undefined;
    if (input.inPlace) this.run('count', this.queuedCountTasks(input, tables, kind, workers), known === undefined ? undefined : this.knownWords.prepare());
    else this.run('count', this.chunkedCountTasks(input, tables, kind, workers), this.copyRemainingChunks(input));
    this.stats.countMs += performance.now() - started;
    let keys = 0;
    for (let k = 0; k < partitions; k++) keys += this.context.instance.header(partials[k] as number).size;
    // Counted against the key cache, the tables hold only new words: the seen lists hold them all.
    if (known !== undefined) {
      const view = this.context.instance.memory.view();
      keys = known.seens.reduce((n, seen) => n + view.getUint32(seen + LAYOUT.LAYOUT_SEEN_COUNT, true), 0);
    }
    tables.lastBytesPerKey = input.bytes.length / Math.max(1, keys);
    return partials.slice(0, partitions);
  }

  /** One COUNT_QUEUE command per worker; a worker whose partial table filled is posted again to resume it once grown. */
  private queuedCountTasks(input: SharedInput, tables: PurposeTables, kind: CountKind, workers: number): Task[] {
    const { ends } = input;
    const { partials, stats } = tables;
    const queue = this.context.scratch.get(COUNT_QUEUE_SCRATCH, countQueueBytes(ends.length));
    const known = kind.command === Command.CountWords ? kind.known : undefined;
    writeCountQueue(this.memory.buffer, queue, kind, ends.map((end, k) => ({
      table: known?.tables[k] ?? partials[k] as number,
      start: input.ptr + (k === 0 ? 0 : (ends[k - 1] as number)),
      end: input.ptr + end,
      stats: known?.seens[k] ?? stats + k * LAYOUT.LAYOUT_STATS_BYTES,
    })));
    const tasks: Task[] = [];
    for (let w = 0; w < workers; w++) {
      let resume = 0;
      let resumeAt = 0;
      tasks.push({
        worker: w,
        post: (control, slot) => writeCommand(control, slot, {
          command: Command.CountQueue, table: resume, ptr: queue, len: ends.length,
          a0: 0, a1: 0, a2: 0, a3: 0, stats: resumeAt,
        }),
        finish: (control, slot) => {
          resume = Atomics.load(control, wordOf(slot, RESULT0)) >>> 0;
          if (resume === 0) return true;
          resumeAt = Atomics.load(control, wordOf(slot, RESULT1)) >>> 0;
          const k = resume - 1;
          if (known !== undefined && this.knownWords.seenFull(known, k)) {
            setQueuedSeen(this.memory.buffer, queue, k, this.knownWords.growSeen(known, k));
          } else if (known !== undefined) {
            setQueuedTable(this.memory.buffer, queue, k, this.knownWords.growTable(known, k));
          } else {
            partials[k] = growTable(this.context, partials[k] as number);
            setQueuedTable(this.memory.buffer, queue, k, partials[k] as number);
          }
          return false;
        },
      });
    }
    return tasks;
  }

  /** Worker w counts partitions w, w+n, ... chunk by chunk, each chunk copied just before it is posted. */
  private chunkedCountTasks(input: SharedInput, tables: PurposeTables, kind: CountKind, workers: number): Task[] {
    const { ends } = input;
    const partitions = ends.length;
    const { partials, stats } = tables;
    const command = (t: number, ptr: number, len: number, clear: boolean, statsPtr: number): CommandWords => kind.command === Command.CountWords
      ? { command: Command.CountWords, table: t, ptr, len, a0: clear ? 1 : 0, a1: 0, a2: 0, a3: 0, stats: 0 }
      : {
        command: Command.Delimited, table: t, ptr, len,
        a0: kind.delimiterCode | (clear ? DELIMITED_CLEAR : 0), a1: kind.keyField, a2: kind.valueField, a3: kind.expectedFields, stats: statsPtr,
      };
    const tasks: Task[] = [];
    for (let w = 0; w < workers; w++) {
      // Partition k, chunk c; `at` = absolute offset counted up to.
      let k = w;
      let c = 0;
      let at = k === 0 ? 0 : (ends[k - 1] as number);
      const chunkEnd = (): number => (input.chunkEnds[k] as readonly number[])[c] as number;
      tasks.push({
        worker: w,
        post: (control, slot) => {
          const start = k === 0 ? 0 : (ends[k - 1] as number);
          this.copyChunk(input, k, c);
          const statsPtr = stats + k * LAYOUT.LAYOUT_STATS_BYTES;
          writeCommand(control, slot, command(partials[k] as number, input.ptr + at, chunkEnd() - at, at === start, statsPtr));
        },
        finish: (control, slot) => {
          at += Atomics.load(control, wordOf(slot, RESULT0)) >>> 0;
          if (at < chunkEnd()) {
            partials[k] = growTable(this.context, partials[k] as number);
            return false;
          }
          if (++c < (input.chunkEnds[k] as readonly number[]).length) return false;
          k += workers;
          c = 0;
          at = ends[k - 1] as number;
          return k >= partitions;
        },
      });
    }
    return tasks;
  }

  /** Malformed lines counted in the delimited statistics of the first `partitions` partitions. */
  private malformedLines(tables: PurposeTables, partitions: number): number {
    const stats = tables.stats;
    const view = this.context.instance.memory.view();
    let malformed = 0;
    for (let k = 0; k < partitions; k++) malformed += view.getUint32(stats + k * LAYOUT.LAYOUT_STATS_BYTES + LAYOUT.LAYOUT_STATS_MALFORMED, true);
    return malformed;
  }

  /**
   * Phase 2: the partial tables, in partition order, become one result in
   * first-occurrence order. Either way each key's value is folded in
   * partition order (partial 0, then 1, ...), whatever the worker count, so
   * float sums come out the same to the bit.
   */
  private mergeAndExport(partials: readonly number[], tables: PurposeTables): KeyedValues {
    if (partials.length === 1) return this.timedExport(() => exportTable(this.context, partials[0] as number, this.lookupKeys));
    const kind = mergeKind(this.mergeStrategy);
    const started = performance.now();
    let result: KeyedValues;
    if (kind === 'ranges') {
      const merged = mergeByRanges(this.runner, partials, tables);
      this.stats.mergeMs += performance.now() - started;
      result = this.timedExport(() => exportRanges(this.runner, merged, this.lookupKeys));
    } else {
      const merged = kind === 'fold' ? foldIntoFirst(this.runner, partials.length, tables) : mergeIntoTargets(this.runner, partials, tables);
      this.stats.mergeMs += performance.now() - started;
      result = this.timedExport(() => exportByOrigin(this.context, merged, this.lookupKeys));
    }
    // Counted once the batch's attempt has succeeded, like parallelBatches.
    this.stats.mergedBatches++;
    if (kind === 'fold') this.stats.foldedBatches++;
    if (kind === 'ranges') this.stats.rangeMergedBatches++;
    return result;
  }

  private timedExport(read: () => KeyedValues): KeyedValues {
    const started = performance.now();
    const result = read();
    this.stats.exportMs += performance.now() - started;
    return result;
  }

  /** The partial and target tables for a purpose, allocated on first use and reused by every later batch. */
  private tablesFor(purpose: string, valueKind: ValueKind, reducer: Reducer): PurposeTables {
    let tables = this.tables.get(purpose);
    if (tables === undefined) {
      tables = { valueKind, reducer, partials: [], targets: [], stats: 0, lastBytesPerKey: Infinity, lastNewKeyShare: 1 };
      this.tables.set(purpose, tables);
    }
    return tables;
  }

  /**
   * Posts every task and serves replies until all are finished. A full table
   * is grown here and its task posted again. When a worker is lost or the
   * owner fails (e.g. memory exhausted), nothing more is posted, the other
   * workers are let finish, and the error is thrown.
   */
  private run(phase: PoolPhase, tasks: readonly Task[], background?: Iterable<void>): void {
    const control = this.control;
    const pending = new Set<Task>();
    const round = ++this.rounds;
    let failure: unknown;
    let lost: WorkerLostError | undefined;
    const post = (task: Task): void => {
      const handle = this.handles[task.worker] as PoolThread;
      task.post(control, handle.slot);
      Atomics.store(control, wordOf(handle.slot, STATE), WorkerState.Busy);
      this.hooks?.beforeCommand?.({
        phase,
        worker: task.worker,
        attempt: this.attempt,
        round,
        terminate: () => handle.kill(),
        exit: (code) => Atomics.store(control, wordOf(handle.slot, EXIT_REQUEST), code),
      });
      Atomics.add(control, wordOf(handle.slot, SEQ), 1);
      Atomics.notify(control, wordOf(handle.slot, SEQ));
      pending.add(task);
    };
    const waiting = [...tasks];
    const postWaiting = (): void => {
      for (const task of waiting.splice(0, this.hooks?.oneAtATime === true ? 1 : waiting.length)) post(task);
    };
    postWaiting();
    // Owner-side work done in small steps between replies, so no worker waits on it for long.
    let steps = background?.[Symbol.iterator]();
    while (pending.size > 0) {
      const seen = Atomics.load(control, EVENTS);
      let changed = false;
      for (const task of [...pending]) {
        const handle = this.handles[task.worker] as PoolThread;
        const state = Atomics.load(control, wordOf(handle.slot, STATE));
        if (state === WorkerState.Busy) continue;
        changed = true;
        pending.delete(task);
        if (state === WorkerState.Ready) {
          if (failure !== undefined || lost !== undefined) continue;
          this.hooks?.afterReply?.({
            phase, worker: task.worker, attempt: this.attempt, round,
            commandMs: Atomics.load(control, wordOf(handle.slot, RUN_US)) / 1000,
            wake: () => wakeWithoutCommand(control, handle.slot),
          });
          try {
            if (!task.finish(control, handle.slot)) post(task);
            else if (pending.size === 0) postWaiting();
          } catch (error) {
            failure = error;
          }
        } else {
          const reason = state === WorkerState.Failed
            ? `worker ${task.worker} failed during the ${phase} phase: ${this.failureOf(handle) ?? 'no message'}`
            : `worker ${task.worker} exited during the ${phase} phase`;
          handle.retire(reason);
          this.quarantineTables(handle);
          lost ??= new WorkerLostError(reason);
        }
      }
      if (pending.size === 0 || changed) continue;
      if (steps !== undefined && failure === undefined && lost === undefined) {
        try {
          if (steps.next().done === true) steps = undefined;
        } catch (error) {
          failure = error;
        }
        continue;
      }
      if (Atomics.wait(control, EVENTS, seen, this.stallTimeoutMs) === 'timed-out') {
        for (const task of pending) {
          const reason = `worker ${task.worker} reported nothing for ${this.stallTimeoutMs} ms during the ${phase} phase (presumed dead)`;
          const handle = this.handles[task.worker] as PoolThread;
          handle.retire(reason);
          this.quarantineTables(handle);
          lost ??= new WorkerLostError(reason);
        }
        pending.clear();
      }
    }
    if (failure !== undefined) throw failure;
    if (lost !== undefined) throw lost;
  }

  /** Why a worker failed or exited, as it wrote in its slot (undefined when it wrote nothing). */
  private failureOf(handle: PoolThread): string | undefined {
    const message = readMessage(this.control, handle.slot);
    return message === '' ? handle.lostReason : message;
  }

  private stateOf(handle: PoolThread): number {
    return Atomics.load(this.control, wordOf(handle.slot, STATE));
  }

  private spawn(): PoolThread {
    const slot = this.freeSlots.pop();
    if (slot === undefined) {
      throw new JobError('Too many worker threads were lost and have not exited yet; the host may be out of memory or threads');
    }
    for (const field of [SEQ, STATE, EXIT_REQUEST, MESSAGE]) Atomics.store(this.control, wordOf(slot, field), 0);
    const init = { module: this.module, memory: this.memory, maximumPages: this.maximumPages, controlPtr: this.controlPtr, slot };
    return this.launcher.launch(init, (thread) => this.released(thread));
  }

  /** Once a thread has exited, its slot and quarantined regions can be handed out again. */
  private released(handle: PoolThread): void {
    this.freeSlots.push(handle.slot);
    if (this.closed) return;
    for (const ptr of handle.quarantine.splice(0)) this.context.allocator.release(ptr);
  }

  private releaseTables(): void {
    for (const tables of this.tables.values()) {
      for (const ptr of [...tables.partials.splice(0), ...tables.targets.splice(0)]) this.context.allocator.release(ptr);
      if (tables.stats !== 0) this.context.allocator.release(tables.stats);
      tables.stats = 0;
    }
    this.knownWords.release();
  }

  /** A lost worker may still be writing (until its thread has exited): its tables and output regions go with it, fresh ones are made. */
  private quarantineTables(handle: PoolThread): void {
    // Scratch regions workers write into: the key lookups' output, the fold's pending lists, the count queue.
    const written = [...LOOKUP_OUTPUT_SCRATCH, ...KNOWN_OUTPUT_SCRATCH, ...RANGE_MERGE_SCRATCH, COUNT_QUEUE_SCRATCH, ...this.handles.map((_, j) => foldPendingScratch(j))];
    for (const purpose of written) {
      const ptr = this.context.scratch.surrender(purpose);
      if (ptr !== undefined) handle.quarantine.push(ptr);
    }
    handle.quarantine.push(...this.knownWords.surrender());
    for (const tables of this.tables.values()) {
      handle.quarantine.push(...tables.partials.splice(0), ...tables.targets.splice(0));
      if (tables.stats !== 0) handle.quarantine.push(tables.stats);
      tables.stats = 0;
    }
  }

  /** A thread to replace a lost worker: a new one, or a started spare where threads cannot start while the owner blocks. */
  private replacement(): PoolThread {
    if (this.launcher.startsWhileOwnerBlocks) return this.spawn();
    const ready = this.spares.findIndex((h) => this.stateOf(h) === WorkerState.Ready);
    if (ready < 0) {
      throw new JobError('A worker thread was lost and no started spare is ready to replace it (this host starts threads only between batches); run the batch again');
    }
    const [spare] = this.spares.splice(ready, 1);
    // Starts once the owner stops blocking, ready for the next loss.
    this.spares.push(this.spawn());
    return spare as PoolThread;
  }

  /** Replaces lost workers and waits (blocking) until every worker is ready. */
  private replaceLostWorkers(): void {
    for (let i = 0; i < this.handles.length; i++) {
      const handle = this.handles[i] as PoolThread;
      const state = this.stateOf(handle);
      if (handle.lostReason === undefined && state !== WorkerState.Failed && state !== WorkerState.Exited) continue;
      if (handle.lostReason === undefined) handle.retire(`worker ${i} was found ${state === WorkerState.Failed ? 'failed' : 'exited'}`);
      this.quarantineTables(handle);
      this.handles[i] = this.replacement();
      this.stats.replacedWorkers++;
    }
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      const seen = Atomics.load(this.control, EVENTS);
      const starting = this.handles.filter((h) => this.stateOf(h) === WorkerState.Starting);
      const broken = this.handles.find((h) => this.stateOf(h) === WorkerState.Failed || this.stateOf(h) === WorkerState.Exited);
      if (broken !== undefined) {
        throw new JobError(`A worker thread failed to start: ${this.failureOf(broken) ?? 'it exited during start-up'}`);
      }
      if (starting.length === 0) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new JobError(`Worker threads did not start within ${START_TIMEOUT_MS} ms`);
      Atomics.wait(this.control, EVENTS, seen, left);
    }
  }
}

/** Notifies a worker's SEQ word until it wakes a waiter (the afterReply test hook's wake()). */
function wakeWithoutCommand(control: Int32Array, slot: number): boolean {
  const deadline = Date.now() + 1000;
  while (Atomics.notify(control, wordOf(slot, SEQ), 1) === 0) {
    if (Date.now() > deadline) return false;
  }
  return true;
}

/** The pool once its workers have started; closed, and the error rethrown, when they cannot start. */
export async function startedPool<P extends SharedMemoryPool>(pool: P): Promise<P> {
  try {
    await pool.ready();
  } catch (error) {
    await pool.close();
    throw error;
  }
  return pool;
}
