import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { corpusLines } from '../../../src/corpus/index.js';
import { Batch, keyValueFields, sum } from '../../../src/index.js';
import { createTopic, kafkaBrokers, readTopic } from '../kafka/broker.js';
import { SluiceProcess, jsonBatches, runSluice } from './sluice-process.js';

describe('the CLI with Kafka', () => {
  it('gen --kafka writes the order stream; orders --kafka ... --to-topic --exactly-once prints and writes the exact running totals', async () => {
    const input = await createTopic('cli-orders');
    const output = await createTopic('cli-totals', 1);
    const gen = await runSluice(['gen', '--kafka', kafkaBrokers(), '--topic', input, '--corpus', 'orders', '--lines', '3000', '--malformed', '2', '--seed', '5'], 60_000);
    assert.equal(gen.code, 0, gen.stderr);
    assert.match(gen.stderr, /wrote 3000 lines/);
    const orders = new SluiceProcess(['orders', '--kafka', kafkaBrokers(), '--topic', input, '--group', `g-${input}`, '--batch', '200ms', '--max-rate-per-partition', '2500', '--json', '--to-topic', output, '--exactly-once']);
    try {
      await orders.waitFor(() => jsonBatches(orders.stdoutLines).reduce((n, b) => n + b.records, 0) >= 3000, '3000 records');
      orders.kill('SIGINT');
      const { code } = await orders.exited;
      assert.equal(code, 0, orders.stderr);
    } finally {
      orders.kill();
    }
    const batches = jsonBatches(orders.stdoutLines);
    assert.ok(batches.filter((b) => b.records > 0).length >= 2, 'the rate limit split the input over several batches');
    const lines: string[] = [];
    for (const line of corpusLines('orders', { seed: 5, malformedRate: 0.02 })) {
      if (lines.length === 3000) break;
      lines.push(line);
    }
    const expected = new Map(Batch.of(lines).flatMap(keyValueFields(',', 1, 2, { expectedFields: 3 })).reduceByKey(sum).collect());
    const last = new Map((batches.at(-1)?.result ?? []).map(([k, v]) => [k, v] as const));
    for (const [province, total] of expected) assert.equal(last.get(province), Math.round(total * 100) / 100, `province ${province}`);
    const written = new Map<string, number>();
    for (const r of await readTopic(output)) written.set(r.key as string, Number(r.value));
    assert.deepEqual([...written.keys()].sort(), [...expected.keys()].sort());
    for (const [province, total] of expected) assert.ok(Math.abs((written.get(province) ?? 0) - total) < 1e-6, `written total of province ${province}`);
  });

  it('refuses Kafka options that do not fit, saying what to give', async () => {
    const cases: [string[], RegExp][] = [
      [['wordcount', '--kafka', '127.0.0.1:9092'], /--kafka needs --topic/],
      [['wordcount', '--kafka', '127.0.0.1:9092', '--topic', 't', '--exactly-once'], /--exactly-once needs --to-topic/],
      [['wordcount', '--socket', '127.0.0.1:9', '--topic', 't'], /--topic only applies to --kafka/],
      [['wordcount', '--kafka', '127.0.0.1:9092', '--topic', 't', '--starting-offsets', 'middle'], /committed, earliest or latest/],
      [['wordcount', '--kafka', '127.0.0.1:9092', '--topic', 't', '--socket', '127.0.0.1:9'], /exactly one source/],
      [['gen', '--kafka', '127.0.0.1:9092'], /--kafka needs --topic/],
      [['wordcount', '--kafka', '127.0.0.1:99999', '--topic', 't'], /--kafka "127.0.0.1:99999": the port must be/],
      [['wordcount', '--kafka', '127.0.0.1:9092,localhost', '--topic', 't'], /--kafka "localhost" needs HOST:PORT/],
      [['gen', '--kafka', 'broker:0', '--topic', 't'], /--kafka "broker:0": the port must be/],
      [['wordcount', '--kafka', '[::1]:9092', '--topic', 't'], /cannot reach an IPv6 literal/],
      [['wordcount', '--kafka', '127.0.0.1:9092', '--topic', 't', '--state', '--session-timeout', '1ms'], /--session-timeout "1ms" is too short: at least 1s/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await runSluice(args);
      assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
      assert.match(stderr, message);
    }
  });

  it('gen --kafka into a topic that does not exist fails at once, naming the topic, instead of retrying forever', async () => {
    const { code, stderr } = await runSluice(['gen', '--kafka', kafkaBrokers(), '--topic', 'cli-never-created', '--lines', '5'], 60_000);
    assert.equal(code, 1, stderr);
    assert.match(stderr, /cli-never-created/);
    assert.match(stderr, /Create the topic first/);
  });

  it('gen --kafka with no broker listening exits 3 (host unreachable), as a socket source does', async () => {
    const { code, stderr } = await runSluice(['gen', '--kafka', '127.0.0.1:1', '--topic', 't', '--lines', '5'], 60_000);
    assert.equal(code, 3, stderr);
    assert.match(stderr, /ECONNREFUSED 127\.0\.0\.1:1/);
  });
});
