import { test } from 'node:test';
import assert from 'node:assert/strict';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { ManualClock, StreamingContext, pairWithOne, splitWhitespace, sum, type BatchInfo } from '../../../src/index.js';
import { createIngestionServer } from '../../../src/node/serve/ingestion-server.js';
import { MetricsRegistry } from '../../../src/node/serve/metrics-registry.js';
import { PROMETHEUS_CONTENT_TYPE } from '../../../src/node/serve/prometheus-text.js';
import { IngestClient } from './clients.js';

function family(families: readonly ParsedFamily[], name: string): ParsedFamily {
  const found = families.find((f) => f.name === name);
  if (found === undefined) throw new Error(`no family ${name} in ${families.map((f) => f.name).join(', ')}`);
  return found;
}

function value(families: readonly ParsedFamily[], name: string): number {
  return Number(family(families, name).metrics[0]?.value);
}

test('the exposition parses with an independent Prometheus parser: types, escaped help, cumulative buckets', () => {
  const registry = new MetricsRegistry();
  registry.counter('demo_total', 'A counter with a back\\slash and a\nnewline in its help.').inc(3);
  registry.gauge('demo_gauge', 'Read at scrape time.', () => -1.5);
  const histogram = registry.histogram('demo_seconds', 'A histogram.', [0.1, 1]);
  for (const v of [0.05, 0.5, 0.7, 5]) histogram.observe(v);
  const families = parsePrometheusTextFormat(registry.exposition());
  assert.equal(family(families, 'demo_total').type, 'COUNTER');
  assert.equal(family(families, 'demo_total').help, 'A counter with a back\\slash and a\nnewline in its help.');
  assert.equal(value(families, 'demo_total'), 3);
  assert.equal(family(families, 'demo_gauge').type, 'GAUGE');
  assert.equal(value(families, 'demo_gauge'), -1.5);
  const h = family(families, 'demo_seconds');
  assert.equal(h.type, 'HISTOGRAM');
  assert.deepEqual(h.metrics[0]?.buckets, { '0.1': '1', '1': '3', '+Inf': '4' });
  assert.equal(Number(h.metrics[0]?.count), 4);
  assert.equal(Number(h.metrics[0]?.sum), 6.25);
  assert.throws(() => registry.counter('demo_total', 'again'), /registered twice/);
  assert.throws(() => registry.gauge('1bad', 'x'), /not a Prometheus metric name/);
});

test('/metrics of a running server agrees with the BatchInfo the listeners saw', async () => {
  const clock = new ManualClock(1_000_000);
  const context = new StreamingContext({ batchIntervalMs: 100, clock });
  const infos: BatchInfo[] = [];
  context.addStreamingListener({ onBatchCompleted: ({ batchInfo }) => void infos.push(batchInfo) });
  const server = await createIngestionServer({ context, pipeline: (lines) => lines.flatMap(splitWhitespace).map(pairWithOne).reduceByKey(sum), port: 0 });
  try {
    const client = await new IngestClient(server.url).open();
    let seq = 0;
    for (let batch = 0; batch < 5; batch++) {
      client.send(Array.from({ length: batch + 1 }, (_, i) => `w${i} x`).join('\n'));
      client.send(Buffer.from([0xff, 0x0a, 0x61]));
      seq += batch + 1 + 2;
      await client.waitForAck(seq);
      await clock.advance(100);
    }
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.headers.get('content-type'), PROMETHEUS_CONTENT_TYPE);
    const families = parsePrometheusTextFormat(await response.text());
    assert.equal(infos.length, 5);
    assert.equal(value(families, 'sluice_batches_total'), infos.length);
    assert.equal(value(families, 'sluice_batch_records_total'), infos.reduce((n, i) => n + i.numRecords, 0));
    // The 0xff lines are kept (read with U+FFFD), and counted.
    assert.equal(value(families, 'sluice_batch_records_total'), 1 + 2 + 3 + 4 + 5 + 10);
    assert.equal(value(families, 'sluice_records_in_total'), 25);
    assert.equal(value(families, 'sluice_dropped_records_total'), 0);
    assert.equal(value(families, 'sluice_invalid_utf8_records_total'), 5);
    assert.equal(value(families, 'sluice_frames_in_total'), 10);
    assert.equal(value(families, 'sluice_ingest_connections'), 1);
    assert.equal(value(families, 'sluice_last_batch_time_ms'), infos[infos.length - 1]?.batchTime);
    for (const [name, field] of [['sluice_processing_delay_seconds', 'processingDelay'], ['sluice_scheduling_delay_seconds', 'schedulingDelay'], ['sluice_total_delay_seconds', 'totalDelay']] as const) {
      const h = family(families, name).metrics[0];
      assert.equal(Number(h?.count), infos.length, name);
      assert.equal(Number(h?.sum), infos.reduce((s, i) => s + (i[field] ?? 0), 0) / 1000, name);
      assert.equal(Number(h?.buckets?.['+Inf']), infos.length);
    }
    assert.ok(value(families, 'sluice_receiver_buffer_limit_bytes') > 0);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
  } finally {
    await server.close();
  }
});
