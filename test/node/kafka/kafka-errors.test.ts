import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { ManualClock, StreamingContext, KafkaError, type ReceiverInfo } from '../../../src/index.js';
import { kafkaDirectStream } from '../../../src/node/index.js';
import { toClaimError, toKafkaError } from '../../../src/node/kafka/kafka-errors.js';
import { kafkaBrokers } from './broker.js';

/** Shaped as kafkajs builds them: the broker's error wrapped in "number of retries exceeded". */
function wrapped(inner: object): Error {
  return Object.assign(new Error('Number of retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause: Object.assign(new Error('inner'), inner) });
}

describe('Kafka errors', () => {
  const stops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const stop of stops) await stop().catch(() => undefined);
  });

  it('maps the root cause of a kafkajs error to a stable code, retriable only where waiting helps', () => {
    const cases: [object, string, boolean][] = [
      [{ name: 'KafkaJSProtocolError', type: 'UNKNOWN_TOPIC_OR_PARTITION', message: 'This server does not host this topic-partition' }, 'ERR_SLUICE_KAFKA_UNKNOWN_TOPIC', false],
      [{ name: 'KafkaJSProtocolError', type: 'TOPIC_AUTHORIZATION_FAILED' }, 'ERR_SLUICE_KAFKA_NOT_AUTHORIZED', false],
      [{ name: 'KafkaJSProtocolError', type: 'GROUP_AUTHORIZATION_FAILED' }, 'ERR_SLUICE_KAFKA_NOT_AUTHORIZED', false],
      [{ name: 'KafkaJSProtocolError', type: 'INVALID_PRODUCER_EPOCH' }, 'ERR_SLUICE_KAFKA_FENCED', false],
      [{ name: 'KafkaJSProtocolError', type: 'COORDINATOR_LOAD_IN_PROGRESS', retriable: true }, 'ERR_SLUICE_KAFKA_COORDINATOR', true],
      [{ name: 'KafkaJSConnectionError', message: 'Connection error: connect ECONNREFUSED 127.0.0.1:1' }, 'ERR_SLUICE_KAFKA_BROKER_DOWN', true],
      [{ name: 'KafkaJSOffsetOutOfRange', type: 'OFFSET_OUT_OF_RANGE' }, 'ERR_SLUICE_KAFKA_OFFSET_OUT_OF_RANGE', false],
      // What kafkajs throws while a broker restarts under a transaction (seen against the real broker):
      [{ name: 'KafkaJSGroupCoordinatorNotFound', message: 'Failed to find group coordinator', retriable: false }, 'ERR_SLUICE_KAFKA_COORDINATOR', true],
      [{ name: 'KafkaJSProtocolError', type: 'GROUP_COORDINATOR_NOT_AVAILABLE', retriable: true }, 'ERR_SLUICE_KAFKA_COORDINATOR', true],
      [{ name: 'KafkaJSProtocolError', type: 'NOT_COORDINATOR_FOR_GROUP', retriable: true }, 'ERR_SLUICE_KAFKA_COORDINATOR', true],
      [{ name: 'KafkaJSProtocolError', type: 'GROUP_LOAD_IN_PROGRESS', retriable: true }, 'ERR_SLUICE_KAFKA_COORDINATOR', true],
      [{ name: 'KafkaJSProtocolError', type: 'TRANSACTION_COORDINATOR_FENCED', retriable: false }, 'ERR_SLUICE_KAFKA_COORDINATOR', true],
      [{ name: 'KafkaJSProtocolError', type: 'LEADER_NOT_AVAILABLE', retriable: true }, 'ERR_SLUICE_KAFKA_BROKER_DOWN', true],
      [{ name: 'KafkaJSProtocolError', type: 'NOT_LEADER_FOR_PARTITION', retriable: true }, 'ERR_SLUICE_KAFKA_BROKER_DOWN', true],
      [{ name: 'KafkaJSNonRetriableError', message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9', retriable: false }, 'ERR_SLUICE_KAFKA_BROKER_DOWN', true],
      // An old epoch is a newer instance, or a transaction the broker expired: not retriable here (batch-transaction.ts decides by the transaction's age).
      [{ name: 'KafkaJSProtocolError', type: 'INVALID_PRODUCER_EPOCH', retriable: false }, 'ERR_SLUICE_KAFKA_FENCED', false],
      [{ name: 'KafkaJSProtocolError', type: 'UNKNOWN', message: 'The server experienced an unexpected error when processing the request' }, 'ERR_SLUICE_KAFKA', true],
      [{ name: 'KafkaJSError', message: 'something else' }, 'ERR_SLUICE_KAFKA', false],
    ];
    for (const [inner, code, retriable] of cases) {
      const error = toKafkaError(wrapped(inner), 'doing something');
      assert.ok(error instanceof KafkaError);
      assert.equal(error.code, code, JSON.stringify(inner));
      assert.equal(error.retriable, retriable, code);
      assert.match(error.message, /^Kafka failed doing something: /);
    }
  });

  it('a generation-checked claim from a stale member maps to ERR_SLUICE_KAFKA_REBALANCED (not retriable); other claim failures map as any Kafka error', () => {
    for (const type of ['ILLEGAL_GENERATION', 'REBALANCE_IN_PROGRESS', 'UNKNOWN_MEMBER_ID', 'FENCED_INSTANCE_ID']) {
      const error = toClaimError(Object.assign(new Error('stale'), { name: 'KafkaJSProtocolError', type, retriable: false }), 'claiming');
      assert.equal(error.code, 'ERR_SLUICE_KAFKA_REBALANCED', type);
      assert.equal(error.retriable, false);
      assert.match(error.message, /claim again for the next assignment/);
    }
    for (const type of ['NOT_COORDINATOR_FOR_GROUP', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'GROUP_LOAD_IN_PROGRESS']) {
      const moving = toClaimError(wrapped({ name: 'KafkaJSProtocolError', type, retriable: true }), 'claiming');
      assert.equal(moving.code, 'ERR_SLUICE_KAFKA_COORDINATOR', type);
      assert.equal(moving.retriable, true, 'the coordinator moving is retried');
    }
    assert.equal(toClaimError(wrapped({ name: 'KafkaJSProtocolError', type: 'GROUP_AUTHORIZATION_FAILED' }), 'claiming').code, 'ERR_SLUICE_KAFKA_NOT_AUTHORIZED');
  });

  it('a topic that does not exist fails the first batch with ERR_SLUICE_KAFKA_UNKNOWN_TOPIC, telling the user to create it', async () => {
    const clock = new ManualClock(0);
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock });
    stops.push(() => ssc.stop());
    kafkaDirectStream(ssc, { brokers: kafkaBrokers(), topics: 'no-such-topic-sluice', groupId: 'g-missing' }).foreachRDD(() => undefined);
    ssc.start();
    await clock.advance(1000);
    const failure = await ssc.awaitTermination().then(
      () => assert.fail('the context should fail'),
      (e: Error) => e,
    );
    const cause = failure.cause as KafkaError;
    assert.equal(cause.code, 'ERR_SLUICE_KAFKA_UNKNOWN_TOPIC');
    assert.match(cause.message, /Create the topic first/);
  });

  it('an unreachable broker is retried with backoff, each failure reported to the listener, then fails with ERR_SLUICE_KAFKA_BROKER_DOWN', async () => {
    const clock = new ManualClock(0);
    const ssc = new StreamingContext({ batchIntervalMs: 1000, clock });
    stops.push(() => ssc.stop());
    const reports: ReceiverInfo[] = [];
    ssc.addStreamingListener({ onReceiverError: ({ receiverInfo }) => void reports.push(receiverInfo) });
    kafkaDirectStream(ssc, {
      brokers: '127.0.0.1:1',
      topics: 't',
      groupId: 'g',
      clientOptions: { retry: { retries: 0 }, connectionTimeout: 200 },
      retry: { initialDelayMs: 20, maxDelayMs: 50, maxRetryMs: 600 },
    }).foreachRDD(() => undefined);
    ssc.start();
    await clock.advance(1000);
    const failure = await ssc.awaitTermination().then(
      () => assert.fail('the context should fail'),
      (e: Error) => e,
    );
    assert.equal((failure.cause as KafkaError).code, 'ERR_SLUICE_KAFKA_BROKER_DOWN');
    assert.ok(reports.length >= 2, `retries were reported (${reports.length})`);
    assert.match(reports[0]?.lastErrorMessage ?? '', /brokers are up/);
  });
});
