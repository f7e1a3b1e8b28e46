/**
 * A broker of a test file's own (not the shared one), for the broker-restart
 * tests: stopped with SIGTERM and started again on the same ports and data
 * dir. Importing this module starts it (in `before`) and points the helpers
 * of broker.ts at it.
 */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import { after, before } from 'node:test';
import { committedOffsets, endOffsets } from './broker.js';

interface OwnBroker {
  readonly brokers: string;
  readonly port: number;
  readonly controllerPort: number;
  readonly home: string;
  stop(): Promise<void>;
}
interface BrokerOptions {
  readonly port?: number;
  readonly controllerPort?: number;
  readonly home?: string;
  readonly keepData: boolean;
}
const script = new URL('../../../../scripts/kafka-broker.mjs', import.meta.url).href;
const { startBroker } = (await import(script)) as { startBroker: (options: BrokerOptions) => Promise<OwnBroker> };

export const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  // Bounded: after a failed assertion the broker may be down, and a stop waiting on it must not hang the file.
  for (const cleanup of cleanups.reverse()) await Promise.race([cleanup().catch(() => undefined), new Promise((r) => setTimeout(r, 15_000).unref())]);
});

/** The test file's broker (replaced by startAgain). */
export let current: OwnBroker;
before(async () => {
  const first = await startBroker({ keepData: true });
  current = first;
  cleanups.push(async () => rmSync(first.home, { recursive: true, force: true }));
  cleanups.push(() => current.stop());
  // This file's helpers (createTopic, produceLines, readTopic) talk to this broker, not the shared one.
  process.env.KAFKA_BROKERS = first.brokers;
});

export async function stopBroker(): Promise<OwnBroker> {
  const stopped = current;
  await stopped.stop();
  return stopped;
}

export async function startAgain(stopped: OwnBroker): Promise<void> {
  current = await startBroker({ port: stopped.port, controllerPort: stopped.controllerPort, home: stopped.home, keepData: true });
}

export async function committedUpTo(groupId: string, topic: string, failure: () => unknown, timeoutMs = 90_000): Promise<void> {
  const ends = await endOffsets(topic);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    assert.equal(failure(), undefined, `the stream failed: ${String(failure())}`);
    const committed = await committedOffsets(groupId, topic);
    if ([...ends].every(([p, end]) => committed.get(p) === end)) return;
    assert.ok(Date.now() < deadline, `not all committed: ${JSON.stringify([...committed])} of ${JSON.stringify([...ends])}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function wordLines(n: number, tag: string): string[] {
  return Array.from({ length: n }, (_, i) => `${tag} w${i % 37} common x${i % 5}`);
}

/** Few client-level retries, so an outage reaches sluice's own retry (and its listener) instead of stalling inside kafkajs. */
export const OUTAGE_OPTIONS = {
  resetOffsets: 'earliest',
  exactlyOnce: true,
  clientOptions: { retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 500 }, connectionTimeout: 500 },
  // A restart of the broker takes 5-20 s on a loaded machine.
  retry: { initialDelayMs: 200, maxDelayMs: 1000, maxRetryMs: 120_000 },
} as const;
