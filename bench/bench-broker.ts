/**
 * The Kafka broker a Kafka benchmark runs against: the one KAFKA_BROKERS
 * names, or a fresh single-node broker from the project's own script
 * (scripts/kafka-broker.mjs, the one the tests use), stopped afterwards.
 */
export interface BenchBroker {
  readonly brokers: string;
  readonly home?: string;
  stop(): Promise<void>;
}

export async function benchBroker(): Promise<BenchBroker> {
  const given = process.env.KAFKA_BROKERS;
  if (given !== undefined && given !== '') return { brokers: given, stop: async () => {} };
  const script = new URL('../../scripts/kafka-broker.mjs', import.meta.url).href;
  const { startBroker } = (await import(script)) as { startBroker: () => Promise<BenchBroker> };
  return startBroker();
}
