import type { Receiver, ReceiverHost } from '../../src/receivers/receiver.js';

const decoder = new TextDecoder();

/** Stands in for the engine's receiver supervisor: records what a receiver stores and reports. */
export class FakeReceiverHost implements ReceiverHost {
  readonly records: Uint8Array[] = [];
  readonly errors: { message: string; error: unknown }[] = [];
  readonly restarts: string[] = [];
  /** storeRecord calls (fewer than records when lines come in runs). */
  storeCalls = 0;
  stopped = false;

  constructor(private readonly receiver: Receiver) {
    receiver.attach(this);
  }

  storeRecord(record: string | Uint8Array): void {
    const bytes = typeof record === 'string' ? new TextEncoder().encode(record) : record;
    this.storeCalls++;
    // As the engine's block buffer does: a record holding '\n' is the lines it contains.
    let start = 0;
    for (;;) {
      const nl = bytes.indexOf(10, start);
      const end = nl === -1 ? bytes.length : nl;
      // Copy: receivers may hand out views into buffers they own.
      this.records.push(bytes.slice(start, end));
      if (nl === -1 || nl + 1 === bytes.length) return;
      start = nl + 1;
    }
  }

  restart(_receiver: Receiver, reason: string): void {
    this.restarts.push(reason);
  }

  reportError(_receiver: Receiver, message: string, error?: unknown): void {
    this.errors.push({ message, error });
  }

  isStopped(): boolean {
    return this.stopped;
  }

  lines(): string[] {
    return this.records.map((r) => decoder.decode(r));
  }

  start(): void {
    this.receiver.onStart();
  }

  stop(): void {
    this.stopped = true;
    this.receiver.onStop();
  }
}

/** Resolves once `condition()` holds; fails the test (instead of hanging) after `timeoutMs`. */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
