/** The KV binding the example Worker expects, backed by memory (tests only: no KV service runs here). */
import type { KeyValueBinding } from '../../../examples/edge/kv-checkpoint-store.js';

export class MemoryKv implements KeyValueBinding {
  readonly values = new Map<string, ArrayBuffer>();
  puts = 0;

  async get(key: string, _type: 'arrayBuffer'): Promise<ArrayBuffer | null> {
    return this.values.get(key)?.slice(0) ?? null;
  }

  async put(key: string, value: ArrayBuffer): Promise<void> {
    this.values.set(key, value.slice(0));
    this.puts++;
  }
}
