/** Entry of a pool worker thread in Node (worker_threads): the shared worker loop, with process exit as the exit. */
import { workerData } from 'node:worker_threads';
import { WorkerState, signal } from '../../executor/pool/control-block.js';
import { controlOf, servePoolCommands, type PoolWorkerInit } from '../../executor/pool/worker-loop.js';

const init = workerData as PoolWorkerInit;
const control = controlOf(init);
// Runs on process.exit() and after an uncaught error: the owner learns of the death at once.
process.on('exit', () => signal(control, init.slot, WorkerState.Exited));
servePoolCommands(init, (code) => process.exit(code));
