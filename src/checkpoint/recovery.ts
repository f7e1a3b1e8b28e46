/**
 * StreamingContext.getOrCreate: rebuild the graph from code, then pour the
 * checkpoint's data into it. Everything is checked before anything is
 * changed, so an incompatible checkpoint leaves the new context untouched.
 */
import type { StreamingContext } from '../engine/streaming-context.js';
import type { InputDStream } from '../engine/input-dstream.js';
import { CheckpointError, InvalidArgumentError, StateDiscardError } from '../errors.js';
import { StateReader } from './checkpointable.js';
import { type CheckpointDocument, decodeCheckpoint, encodeCheckpoint, type OperatorCheckpoint } from './format.js';
import type { CheckpointStore } from './store.js';
import { nameGraph } from './stream-names.js';

/** What getOrCreate(store, create, options) takes besides the store and the create function. */
export interface RecoveryOptions {
  /**
   * Names of checkpointed state that may be dropped because the new graph
   * no longer has its operator. Without it, such a checkpoint is refused
   * (StateDiscardError) rather than silently losing the state.
   */
  readonly discardState?: readonly string[];
}

export async function getOrCreateContext(
  store: CheckpointStore,
  create: () => StreamingContext | Promise<StreamingContext>,
  options: RecoveryOptions = {},
): Promise<StreamingContext> {
  checkRecoveryOptions(options);
  const bytes = await store.read();
  const context = await create();
  if (context.checkpointStore === undefined) context.checkpoint(store);
  if (bytes !== undefined) restoreContext(context, decodeCheckpoint(bytes, store.describe()), store.describe(), options);
  else await recordStart(context, store);
  return context;
}

/**
 * The first run's checkpoint, written before it starts: the zero time, the
 * sources' start positions (the files already in a watched directory) and
 * the operators' initial state. Without it, a crash before the first batch's
 * checkpoint would make the restart a fresh start that counts every file
 * arrived meanwhile as "already there", so they would never be read. The
 * context then continues from this checkpoint like any recovered one.
 */
async function recordStart(context: StreamingContext, store: CheckpointStore): Promise<void> {
  const interval = context.batchIntervalMs;
  const zeroTime = Math.floor(context.clock.now() / interval) * interval;
  const named = nameGraph(context.graph);
  const sources: Record<string, unknown> = {};
  for (const [name, input] of named.inputs) {
    const position = (input as InputDStream<unknown>).startPosition();
    if (position !== undefined) sources[name] = position;
  }
  const operators: Record<string, OperatorCheckpoint> = {};
  for (const [name, op] of named.operators) operators[name] = { kind: op.checkpointKind, state: op.checkpointState(zeroTime) };
  const doc: CheckpointDocument = { batchIntervalMs: interval, zeroTime, checkpointTime: zeroTime, pendingTimes: [], sources, operators };
  await store.write(encodeCheckpoint(doc));
  restoreContext(context, doc, store.describe(), {}, true);
}

function checkRecoveryOptions(options: RecoveryOptions): void {
  const names = options.discardState;
  if (names !== undefined && !(Array.isArray(names) && names.every((n) => typeof n === 'string' && n !== ''))) {
    throw new InvalidArgumentError(`discardState must be a list of operator names, e.g. ['counts'], got ${JSON.stringify(names)}`);
  }
}

/** Restores operator state, source positions and the batch clock of `doc` into a context that has not started. */
/** `firstRun`: the document is the start record this run has just written (the context is then not `recovered`). */
export function restoreContext(context: StreamingContext, doc: CheckpointDocument, from: string, options: RecoveryOptions = {}, firstRun = false): void {
  const incompatible = (problem: string, fix: string): CheckpointError =>
    new CheckpointError('ERR_SLUICE_CHECKPOINT_INCOMPATIBLE', `Cannot recover from the checkpoint in ${from}: ${problem}. ${fix}`);
  const emptyStore = 'or start from an empty checkpoint store (state is then lost)';
  if (doc.batchIntervalMs !== context.batchIntervalMs) {
    throw incompatible(
      `it was written with a batch interval of ${doc.batchIntervalMs} ms and this context has ${context.batchIntervalMs} ms`,
      `Use the same batch interval, ${emptyStore}.`,
    );
  }
  const named = nameGraph(context.graph);
  const saved = Object.keys(doc.operators);
  for (const [name, op] of named.operators) {
    const state = doc.operators[name];
    if (state === undefined) {
      throw incompatible(
        `it holds no state for ${op.checkpointKind} '${name}' (it holds state for: ${saved.length === 0 ? 'no operator' : saved.map((n) => `'${n}'`).join(', ')})`,
        `If the operator was renamed, give it its old name with .name(...); if it is new, start from an empty checkpoint store (state is then lost).`,
      );
    }
    if (state.kind !== op.checkpointKind) {
      throw incompatible(
        `'${name}' was a ${state.kind} when the checkpoint was written and is a ${op.checkpointKind} now`,
        `Give the new operator another .name(...), ${emptyStore}.`,
      );
    }
  }
  const allowed = new Set(options.discardState ?? []);
  const lost = Object.entries(doc.operators).filter(([name]) => !named.operators.has(name) && !allowed.has(name));
  if (lost.length > 0) {
    const list = lost.map(([name, op]) => `${op.kind} '${name}'`).join(', ');
    const names = lost.map(([name]) => `'${name}'`).join(', ');
    throw new StateDiscardError(
      lost.map(([name]) => name),
      `Recovering from the checkpoint in ${from} would discard the state of ${list}: the new graph has no operator of that name. ` +
        `Nothing was started and the checkpoint is unchanged. Keep the operator (with the same .name(...)) to continue its state, ` +
        `or drop the state for good with getOrCreate(store, create, { discardState: [${names}] }).`,
    );
  }
  for (const name of Object.keys(doc.sources)) {
    if (!named.inputs.has(name)) {
      throw incompatible(
        `it holds a position for source '${name}', which the new graph does not have (inputs: ${[...named.inputs.keys()].join(', ')})`,
        `Create the same inputs in the same order (or with the same .name(...)), ${emptyStore}.`,
      );
    }
  }
  for (const [name, op] of named.operators) op.restoreState((doc.operators[name] as { state: unknown }).state, new StateReader(name, op.checkpointKind));
  for (const [name, position] of Object.entries(doc.sources)) (named.inputs.get(name) as InputDStream<unknown>).restorePosition(position);
  context.resumeFrom({ zeroTime: doc.zeroTime, checkpointTime: doc.checkpointTime, pendingTimes: doc.pendingTimes, firstRun });
}
