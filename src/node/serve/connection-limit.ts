/**
 * How many /ingest connections may be open at once, in all and from one
 * remote address, so one client cannot exhaust the server's sockets and
 * memory by opening connections. A slot is taken before the upgrade (so
 * concurrent upgrades cannot overshoot the bound) and given back when the
 * socket closes, however the connection ended.
 */

import type { Duplex } from 'node:stream';
import type { Rejection } from './access.js';

export const DEFAULT_MAX_CONNECTIONS = 1024;
export const DEFAULT_MAX_CONNECTIONS_PER_ADDRESS = 64;

export class ConnectionLimit {
  private readonly perAddress = new Map<string, number>();
  private open = 0;
  /** Upgrades refused because a bound was reached. */
  refused = 0;

  constructor(
    private readonly max: number,
    private readonly maxPerAddress: number,
  ) {}

  /** Takes a slot for `socket` until it closes, or says why not: 503 when the server is full, 429 when its address is. */
  admit(socket: Duplex, address: string): Rejection | undefined {
    const fromAddress = this.perAddress.get(address) ?? 0;
    if (this.open >= this.max) {
      this.refused++;
      return { status: 503, message: `The server already has its maximum of ${this.max} ingest connections; retry later (the bound is --max-connections, option maxConnections).` };
    }
    if (fromAddress >= this.maxPerAddress) {
      this.refused++;
      return { status: 429, message: `${address} already has its maximum of ${this.maxPerAddress} ingest connections; close one first (the bound is --max-connections-per-ip, option maxConnectionsPerAddress).` };
    }
    this.open++;
    this.perAddress.set(address, fromAddress + 1);
    socket.once('close', () => {
      this.open--;
      const left = (this.perAddress.get(address) ?? 1) - 1;
      if (left === 0) this.perAddress.delete(address);
      else this.perAddress.set(address, left);
    });
    return undefined;
  }
}
