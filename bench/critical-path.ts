/**
 * bench:scaling's critical-path model: what a pool of N workers would take
 * on N free cores, measured on a machine with fewer (or busy) cores. The
 * pool runs with the `oneAtATime` hook: every command is posted alone, so
 * no worker competes with another for a core, and each worker reports how
 * long its command ran (RUN_US). A batch's parallel rounds (count, merge,
 * export listing, key lookups) would each take as long as their busiest
 * worker:
 *
 *   predicted = Σ over rounds of max over workers (its commands' run time;
 *               for the count, the mean: workers claim partitions from a
 *               queue, so posted alone the first claims them all)
 *             + owner (the batch's time minus the time spent waiting for
 *               replies: the owner thread's serial part)
 *
 * Wake-ups are left out of the prediction and shown apart ("waits": post to
 * reply minus run time, summed): on a busy machine they are scheduling
 * delays of this machine, not of the pool; on an idle one they cost tens of
 * microseconds per round. Not modelled either: memory bandwidth shared by N
 * cores. Every command's time and the owner's are the least over the timed
 * batches (the same batch each time: the same rounds and commands), which
 * leaves out preemption by other processes; waits are a median.
 */
import type { Kernels, KeyedValues } from '../src/kernels/index.js';
import { createWorkerPool, type MergeStrategy, type PoolPhase, type WorkerPool } from '../src/node/worker-pool/index.js';

export interface CriticalPath {
  readonly workers: number;
  readonly merge: MergeStrategy;
  /** Busiest worker's time per phase (summed over that phase's rounds). */
  readonly countMs: number;
  readonly mergeMs: number;
  readonly exportMs: number;
  /** Owner-thread time outside commands. */
  readonly ownerMs: number;
  /** Post-to-reply time beyond the commands' run time (wake-ups, replies), summed over commands. */
  readonly waitMs: number;
  /** All command time (what one core would spend on the workers' share). */
  readonly workMs: number;
  readonly predictedMs: number;
  readonly rounds: number;
}

interface Round {
  phase: PoolPhase;
  perWorker: Map<number, number>;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Times `batches` runs of `run` through an N-worker pool posting one command at a time; medians of the model's terms. */
export async function criticalPath(
  workers: number,
  merge: MergeStrategy,
  bytes: Uint8Array,
  batches: number,
  run: (kernels: Kernels, bytes: Uint8Array) => KeyedValues,
): Promise<CriticalPath> {
  let rounds = new Map<number, Round>();
  let posted = 0;
  let waitingMs = 0;
  const pool: WorkerPool = await createWorkerPool({
    workers,
    mergeStrategy: merge,
    hooks: {
      oneAtATime: true,
      beforeCommand: () => {
        posted = performance.now();
      },
      afterReply: (event) => {
        const ms = event.commandMs;
        waitingMs += performance.now() - posted;
        let round = rounds.get(event.round);
        if (round === undefined) rounds.set(event.round, (round = { phase: event.phase, perWorker: new Map() }));
        round.perWorker.set(event.worker, (round.perWorker.get(event.worker) ?? 0) + ms);
      },
    },
  });
  try {
    const { bytes: input } = pool.allocInput(bytes.length);
    input.set(bytes);
    // Two untimed batches: the key cache learns the words in the first and is judged in the second.
    run(pool, input);
    run(pool, input);
    const batchRounds: Round[][] = [];
    const owners: number[] = [];
    const waits: number[] = [];
    for (let b = 0; b < batches; b++) {
      rounds = new Map();
      waitingMs = 0;
      const started = performance.now();
      run(pool, input);
      const wallMs = performance.now() - started;
      const inOrder = [...rounds.entries()].sort((x, y) => x[0] - y[0]).map(([, round]) => round);
      batchRounds.push(inOrder);
      const workMs = inOrder.reduce((a, round) => a + [...round.perWorker.values()].reduce((c, t) => c + t, 0), 0);
      owners.push(wallMs - waitingMs);
      waits.push(waitingMs - workMs);
    }
    // Each command's least time over the batches: the work without preemption by other processes.
    const shape = batchRounds[0] ?? [];
    if (batchRounds.some((r) => r.length !== shape.length || r.some((round, i) => round.phase !== shape[i]?.phase))) {
      throw new Error(`${workers} workers, ${merge}: batches ran different rounds; cannot take per-command minimums`);
    }
    const phaseMs: Record<PoolPhase, number> = { count: 0, merge: 0, export: 0 };
    let workMs = 0;
    shape.forEach((round, i) => {
      const best = [...round.perWorker.keys()].map((w) => Math.min(...batchRounds.map((r) => r[i]?.perWorker.get(w) ?? Infinity)));
      const all = best.reduce((a, c) => a + c, 0);
      // Workers claim partitions from a queue (one posted alone claims them all), so the count is taken
      // as split evenly: the mean of the workers' times (a worker that found none counts as 0).
      phaseMs[round.phase] += round.phase === 'count' ? all / best.length : Math.max(...best);
      workMs += best.reduce((a, c) => a + c, 0);
    });
    const ownerMs = Math.min(...owners);
    return {
      workers, merge, countMs: phaseMs.count, mergeMs: phaseMs.merge, exportMs: phaseMs.export, ownerMs, waitMs: median(waits), workMs,
      predictedMs: phaseMs.count + phaseMs.merge + phaseMs.export + ownerMs, rounds: shape.length,
    };
  } finally {
    await pool.close();
  }
}
