/**
 * The claim protocol end to end, without the stream engine: workers in one
 * group copy input records to an output topic, one transaction per batch
 * (records + offsets with the worker's id as metadata), claiming gained
 * partitions and starting over with a new id when fenced. Members join and
 * leave mid-copy, one of them leaving while its batch is still open; a
 * read_committed reader must see every input record exactly once.
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { after, it } from 'node:test';
import { KafkaError } from '../../../../src/errors.js';
import { type KafkaClient, type OffsetRange, type RangeReader, type TransactionalProducerPort } from '../../../../src/node/kafka/client.js';
import { kafkajsClient } from '../../../../src/node/kafka/kafkajs-client.js';
import { GroupMembership } from '../../../../src/node/kafka/group/group-membership.js';
import { claimPartitions } from '../../../../src/node/kafka/group/partition-claims.js';
import { waitFor } from '../../fake-receiver-host.js';
import { createTopic, endOffsets, kafkaBrokers, readTopic, testKafka } from '../broker.js';

const PARTITIONS = 6;
const PER_PARTITION = 300;
const BATCH = 40;

const stops: (() => Promise<void>)[] = [];
after(async () => {
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
});

class CopyWorker {
  private readonly client: KafkaClient = kafkajsClient({ brokers: kafkaBrokers().split(',') });
  private membership!: GroupMembership;
  private reader!: RangeReader;
  private producer!: TransactionalProducerPort;
  private incarnation = 0;
  private readonly positions = new Map<number, number>();
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  resets = 0;
  batches = 0;
  /** When set, the first batch after `holdAfterBatches` committed ones waits here after sending its records, before committing. */
  hold: Promise<void> | undefined;
  holdAfterBatches = 0;
  holding = false;

  constructor(
    private readonly name: string,
    private readonly groupId: string,
    private readonly input: string,
    private readonly output: string,
  ) {}

  private get transactionalId(): string {
    return `sluice-${this.groupId}-${this.name}-${this.incarnation}`;
  }

  async start(): Promise<void> {
    this.reader = await this.client.rangeReader([this.input]);
    await this.newProducer();
    this.membership = await GroupMembership.join({ brokers: kafkaBrokers().split(','), groupId: this.groupId, topics: [this.input], sessionTimeoutMs: 6000 });
    stops.push(() => this.stop());
    this.loop = this.run();
  }

  async leaveGroup(): Promise<void> {
    await this.membership.leave();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop.catch(() => undefined);
    await this.membership.leave().catch(() => undefined);
    await this.client.close();
  }

  /** Owned partitions and their positions (for the test's wait). */
  owned(): ReadonlyMap<number, number> {
    return this.positions;
  }

  private async newProducer(): Promise<void> {
    await this.producer?.close().catch(() => undefined);
    this.producer = await this.client.transactionalProducer(this.transactionalId);
    await this.producer.fence();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.applyAssignment();
      const ranges: OffsetRange[] = [...this.positions].map(([partition, from]) => ({ topic: this.input, partition, fromOffset: from, untilOffset: Math.min(from + BATCH, PER_PARTITION) }));
      const work = ranges.filter((r) => r.untilOffset > r.fromOffset);
      if (work.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      const records = (await this.reader.read(work)).flat();
      const id = this.transactionalId;
      try {
        const tx = await this.producer.begin();
        await tx.send(this.output, records.map((r) => ({ value: `${r.partition}:${r.offset}` })));
        if (this.hold !== undefined && this.batches >= this.holdAfterBatches) {
          this.holding = true;
          await this.hold;
          this.hold = undefined;
        }
        await tx.commit({ groupId: this.groupId, offsets: work.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.untilOffset, metadata: id })) });
        for (const r of work) if (this.positions.has(r.partition)) this.positions.set(r.partition, r.untilOffset);
        this.batches++;
      } catch (error) {
        if (!(error instanceof KafkaError && error.code === 'ERR_SLUICE_KAFKA_FENCED')) throw error;
        // Someone claimed one of our partitions: everything since our last commit is void; start over under a new id.
        this.resets++;
        this.incarnation++;
        this.positions.clear();
        await this.newProducer();
      }
    }
  }

  private async applyAssignment(): Promise<void> {
    const assignment = this.membership.assignment();
    if (assignment === undefined) {
      this.positions.clear();
      return;
    }
    for (const p of [...this.positions.keys()]) if (!assignment.partitions.includes(p)) this.positions.delete(p);
    const gained = assignment.partitions.filter((p) => !this.positions.has(p));
    if (gained.length === 0) return;
    try {
      const claim = await claimPartitions({
        client: this.client,
        membership: this.membership,
        groupId: this.groupId,
        topics: [this.input],
        assignment,
        partitions: gained,
        transactionalId: this.transactionalId,
        initialOffsets: (uncommitted) => uncommitted.map((tp) => ({ ...tp, offset: 0 })),
      });
      for (const o of claim.offsets) this.positions.set(o.partition, o.offset);
    } catch (error) {
      if (!(error instanceof KafkaError && error.code === 'ERR_SLUICE_KAFKA_REBALANCED')) throw error;
    }
  }
}

it('workers copying through claims and per-batch transactions deliver every record exactly once while members join, leave, and a leaver commits late', async () => {
  const [input, output] = [await createTopic('claims-eo-in', PARTITIONS), await createTopic('claims-eo-out', PARTITIONS)];
  const producer = testKafka().producer();
  await producer.connect();
  for (let p = 0; p < PARTITIONS; p++) {
    await producer.send({ topic: input, acks: -1, messages: Array.from({ length: PER_PARTITION }, (_, i) => ({ value: `r${i}`, partition: p })) });
  }
  await producer.disconnect();
  const groupId = `g-eo-${randomUUID()}`;
  const progress = async (): Promise<number> => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const [found] = await admin.fetchOffsets({ groupId, topics: [input] });
      return (found?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    } finally {
      await admin.disconnect();
    }
  };
  const untilProgress = async (records: number): Promise<void> => {
    const deadline = Date.now() + 60_000;
    while ((await progress()) < records) {
      if (Date.now() > deadline) throw new Error(`the group did not commit ${records} records in time`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const a = new CopyWorker('a', groupId, input, output);
  const b = new CopyWorker('b', groupId, input, output);
  // a commits two batches, then holds its third open (set before it starts: on a quiet machine a copies all its partitions at once).
  let release!: () => void;
  a.hold = new Promise<void>((resolve) => (release = resolve));
  a.holdAfterBatches = 2;
  await a.start();
  await b.start();
  await untilProgress(300);

  // a joins a third member while one of its batches is open, then leaves with that batch still open: whoever gains its partitions fences it.
  await waitFor(() => a.holding, 'a to hold a batch open', 30_000);
  const c = new CopyWorker('c', groupId, input, output);
  await c.start();
  await a.leaveGroup();
  await waitFor(() => b.owned().size + c.owned().size === PARTITIONS, 'b and c to claim every partition', 30_000);
  release();
  await waitFor(() => a.resets > 0, 'a\'s late commit to be refused (fenced)', 30_000);
  await a.stop();

  await untilProgress(PARTITIONS * PER_PARTITION);
  await b.stop();
  await c.stop();

  const ends = await endOffsets(output);
  assert.ok([...ends.values()].reduce((x, y) => x + y, 0) >= PARTITIONS * PER_PARTITION);
  const values = (await readTopic(output)).map((r) => r.value as string);
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const expected = Array.from({ length: PARTITIONS }, (_, p) => Array.from({ length: PER_PARTITION }, (_, o) => `${p}:${o}`)).flat();
  assert.deepEqual(expected.filter((v) => counts.get(v) !== 1), [], 'every input record exactly once');
  assert.equal(values.length, expected.length, 'nothing else');
  assert.ok(b.batches > 0 && c.batches > 0, 'both remaining workers copied');
});
