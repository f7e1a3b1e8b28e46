/**
 * A CheckpointStore over a key-value binding (Cloudflare Workers KV, or
 * anything with the same get/put). One key holds the latest checkpoint; a
 * put replaces it whole, so a reader sees the old or the new checkpoint,
 * never a mix. KV is eventually consistent across locations: keep one
 * writer per key (one Worker location, or a Durable Object for strict order).
 */
import type { CheckpointStore } from 'sluice/edge';

/** The part of a Workers KV namespace binding this store uses. */
export interface KeyValueBinding {
  get(key: string, type: 'arrayBuffer'): Promise<ArrayBuffer | null>;
  put(key: string, value: ArrayBuffer): Promise<void>;
}

export class KvCheckpointStore implements CheckpointStore {
  constructor(
    private readonly kv: KeyValueBinding,
    private readonly key: string,
  ) {}

  async write(data: Uint8Array): Promise<void> {
    // A copy: the binding may keep the buffer, and the engine may reuse its bytes.
    await this.kv.put(this.key, data.slice().buffer);
  }

  async read(): Promise<Uint8Array | undefined> {
    const stored = await this.kv.get(this.key, 'arrayBuffer');
    return stored === null ? undefined : new Uint8Array(stored);
  }

  describe(): string {
    return `KV key '${this.key}'`;
  }
}
