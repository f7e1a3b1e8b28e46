/**
 * One worker thread of the pool as the owning thread sees it: the Worker,
 * its control-block slot and the port its error messages arrive on. When a
 * worker is given up on, the regions it may still write to are parked on
 * its handle (`quarantine`) and released only once the thread has really
 * exited, so a lost thread never writes into regions handed out again.
 */
import { MessageChannel, type MessagePort, Worker, receiveMessageOnPort } from 'node:worker_threads';
import type { WorkerData } from './worker.js';

export interface SpawnOptions {
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly maximumPages: number;
  readonly controlPtr: number;
  readonly slot: number;
  /** Called on the owner's event loop once the thread has exited. */
  readonly onExit: (handle: WorkerHandle) => void;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

export class WorkerHandle {
  readonly worker: Worker;
  readonly slot: number;
  /** Regions to release once this thread has exited. */
  readonly quarantine: number[] = [];
  /** Set when the thread exited or was given up on; the pool then replaces it. */
  lostReason: string | undefined;
  private readonly port: MessagePort;

  constructor(options: SpawnOptions) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.slot = options.slot;
    const workerData: WorkerData = {
      module: options.module,
      memory: options.memory,
      maximumPages: options.maximumPages,
      controlPtr: options.controlPtr,
      slot: options.slot,
      port: port2,
    };
    this.worker = new Worker(WORKER_URL, { workerData, transferList: [port2] });
    // Idle workers must not keep the process alive; the pool's close() ends them.
    this.worker.unref();
    this.worker.on('error', (error) => {
      this.lostReason ??= `worker thread failed: ${error.message}`;
    });
    this.worker.on('exit', (code) => {
      this.lostReason ??= `worker thread exited with code ${code}`;
      this.port.close();
      options.onExit(this);
    });
  }

  /** The error message the worker sent for its last failed command, if any (read without waiting). */
  takeError(): string | undefined {
    const received = receiveMessageOnPort(this.port);
    return received === undefined ? undefined : String(received.message);
  }

  /** Gives up on this thread (it may be stuck or dead); its regions are released when it has exited. */
  retire(reason: string): void {
    this.lostReason ??= reason;
    this.worker.terminate().catch(() => undefined);
  }
}
