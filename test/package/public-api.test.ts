/**
 * Pins the public API of `sluice` (src/index.ts) and `sluice/node`: the names
 * a program can import, values and types. Adding or removing a public name
 * is a decision: update the list below in the same change. Every public
 * name must carry TSDoc (checked with the TypeScript compiler on the sources).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `sluice`: every exported name, values and types, sorted. */
const PUBLIC_API = [
  'Batch', 'BatchInfo', 'CheckpointError', 'CheckpointOptions', 'CheckpointStore', 'Clock', 'Comparator', 'ConnectionError', 'ContextState',
  'DEFAULT_RECEIVER_BUFFER_BYTES', 'DStream', 'Executor', 'FileSink', 'IllegalStateError', 'InMemoryCheckpointStore', 'InMemoryFileSink', 'InputError',
  'InvalidArgumentError', 'KafkaError', 'JobError', 'KernelError', 'Kernels', 'KernelsChoice', 'KernelsKind', 'LoadKernelsOptions', 'Logger', 'MALFORMED_RECORDS_COUNTER', 'ManualClock', 'MapResult',
  'MapWithStateDStream', 'MappingFunction', 'NumericOverflowError', 'OutputError', 'Pair', 'PairSource', 'QueueStreamOptions', 'Receiver', 'ReceiverHost', 'ReceiverInfo',
  'RecordBatch', 'RecordBatchBuilderOptions', 'RecoveryOptions', 'ScaleOutError', 'SluiceError', 'State', 'StateDStream', 'StateDiscardError', 'StateSpec', 'StreamingContext', 'StreamingContextOptions', 'StreamingListener',
  'SystemClock', 'UpdateStateFunction', 'UpdateStateOptions', 'WorkerPoolOptions', 'browserExecutor', 'canRunWorkerPool', 'consoleLogger', 'count',
  'createKernels', 'defaultKernels', 'delimitedField', 'inlineExecutor', 'jsKernels', 'keyValueFields', 'loadKernels', 'max', 'min', 'naturalOrder', 'nonZero',
  'pairWithOne', 'runningSum', 'setDefaultKernels', 'silentLogger', 'splitWhitespace', 'subtract', 'sum',
];

/** The exported symbols of a source module, aliases resolved, with the program's type checker. */
function exportsOf(entry: string): { name: string; documented: boolean }[] {
  const file = `${ROOT}${entry}`;
  const program = ts.createProgram([file], { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, types: ['node'] });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  assert.ok(source !== undefined, entry);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  assert.ok(moduleSymbol !== undefined, `${entry} is a module`);
  return checker.getExportsOfModule(moduleSymbol).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    return { name: symbol.getName(), documented: ts.displayPartsToString(target.getDocumentationComment(checker)).trim() !== '' };
  });
}

const sluice = exportsOf('src/index.ts');

test('sluice exports exactly the pinned public API (values and types)', () => {
  assert.deepEqual(sluice.map((e) => e.name).sort(), [...PUBLIC_API].sort());
});

test('the runtime exports of the built package entry are the pinned values', async () => {
  const runtime = Object.keys(await import('../../src/index.js')).sort();
  for (const name of runtime) assert.ok(PUBLIC_API.includes(name), `${name} is exported at run time but not pinned`);
  for (const internal of ['allocTable', 'moveTable', 'MAX_PAGES', 'ReceiverSupervisor', 'MappedDStream', 'decodeCheckpoint']) assert.ok(!runtime.includes(internal), internal);
});

test('every public name of sluice and sluice/node carries TSDoc', () => {
  const undocumented = [...sluice, ...exportsOf('src/node/index.ts')].filter((e) => !e.documented).map((e) => e.name);
  assert.deepEqual(undocumented, []);
});

test('internals stay reachable under the explicit sluice/internals subpath', async () => {
  const internals = await import('../../src/internals.js');
  for (const name of ['allocTable', 'ReceiverSupervisor', 'MappedDStream', 'StreamingContext']) assert.ok(name in internals, name);
});
