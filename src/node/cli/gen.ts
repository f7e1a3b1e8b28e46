/**
 * `sluice gen`: the seed's data producer as a TCP server (so no `nc` is
 * needed): every client gets generated corpus lines, optionally rate-limited.
 */

import { CORPUS_NAMES, createCorpus, isCorpusName } from '../../corpus/index.js';
import { InvalidArgumentError } from '../../errors.js';
import { GeneratorServer } from '../generator-server.js';
import { type OptionSpec, parseBrokers, parseInteger, parsePort, parseRate } from './args.js';
import { defineCommand } from './command.js';
import { type CliIo, EXIT_OK } from './io.js';
import { kafkajsClient } from '../kafka/kafkajs-client.js';
import { CorpusProducer } from '../kafka/corpus-producer.js';

const SPECS: readonly OptionSpec[] = [
  { name: 'port', type: 'string', value: 'PORT', help: 'TCP port to listen on (0: any free port, printed at start). Required.' },
  { name: 'host', type: 'string', value: 'HOST', help: 'Interface to listen on (default 127.0.0.1; 0.0.0.0 for other machines).' },
  { name: 'rate', type: 'string', value: 'N/s', help: 'Lines per second per client, e.g. 1000/s or 50k/s (default: as fast as the client reads).' },
  { name: 'corpus', type: 'string', value: 'NAME', help: `What to generate: ${CORPUS_NAMES.join(' | ')} (default english). orders = orderId,provinceId,orderPrice.` },
  { name: 'seed', type: 'string', value: 'N', help: 'Seed of the generator (default 42); the same seed gives the same lines.' },
  { name: 'lines', type: 'string', value: 'N', help: 'Send N lines to each client, then keep the connection open but silent.' },
  { name: 'malformed', type: 'string', value: 'PERCENT', help: 'With --corpus orders: percentage of deliberately malformed lines (default 0).' },
  { name: 'kafka', type: 'string', value: 'BROKERS', help: 'Write the lines into Kafka instead of serving them over TCP (needs --topic; --lines N stops after N).' },
  { name: 'topic', type: 'string', value: 'T', help: 'With --kafka: the topic to write to (it must exist).' },
];

export const genCommand = defineCommand({
  name: 'gen',
  summary: 'A TCP server streaming generated lines (english, mixed, orders corpora) to every client.',
  description:
    'Serves generated lines over TCP to every client that connects, each from the first line of the corpus.\nWrites respect backpressure: a slow client is served at its pace. Stop with Ctrl-C.',
  options: SPECS,
  examples: '  sluice gen --port 9999 --rate 1000/s --corpus mixed\n  sluice wordcount --socket 127.0.0.1:9999\n  sluice gen --kafka 127.0.0.1:9092 --topic orders --corpus orders --lines 10000',
  run: async (args, io) => {
    const portText = args.values.get('port');
    const kafka = args.values.get('kafka');
    if (kafka !== undefined && (portText !== undefined || args.values.has('host'))) throw new InvalidArgumentError('sluice gen: give --kafka BROKERS or --port PORT, not both.');
    if (kafka === undefined && args.values.has('topic')) throw new InvalidArgumentError('sluice gen: --topic only applies to --kafka BROKERS.');
    if (portText === undefined && kafka === undefined) throw new InvalidArgumentError('sluice gen: --port is required, e.g. --port 9999 (0 picks a free port), or --kafka BROKERS --topic T.');
    const corpus = args.values.get('corpus') ?? 'english';
    if (!isCorpusName(corpus)) throw new InvalidArgumentError(`sluice gen: --corpus must be one of ${CORPUS_NAMES.join(', ')}; got "${corpus}".`);
    const rate = args.values.get('rate');
    const seed = args.values.get('seed');
    const lines = args.values.get('lines');
    const malformed = args.values.get('malformed');
    if (malformed !== undefined && corpus !== 'orders') throw new InvalidArgumentError('sluice gen: --malformed only applies to --corpus orders.');
    const host = args.values.get('host') ?? '127.0.0.1';
    const corpusOptions = {
      ...(seed === undefined ? {} : { seed: parseInteger('seed', seed, 0, 0xffffffff) }),
      ...(malformed === undefined ? {} : { malformedRate: parseInteger('malformed', malformed, 0, 100) / 100 }),
    };
    if (kafka !== undefined) {
      const topic = args.values.get('topic');
      if (topic === undefined || topic === '') throw new InvalidArgumentError('sluice gen: --kafka needs --topic T (an existing topic).');
      parseBrokers('kafka', kafka);
      return genToKafka(io, kafka, topic, createCorpus(corpus, corpusOptions), {
        ...(rate === undefined ? {} : { linesPerSecond: parseRate('rate', rate) }),
        ...(lines === undefined ? {} : { count: parseInteger('lines', lines, 0) }),
      });
    }
    const server = new GeneratorServer({
      port: parsePort('port', portText as string, true),
      host,
      corpus,
      corpusOptions,
      ...(rate === undefined ? {} : { linesPerSecond: parseRate('rate', rate) }),
      ...(lines === undefined ? {} : { linesPerClient: parseInteger('lines', lines, 0) }),
      onClient: (event, remote) => io.stderr(`sluice gen: client ${remote} ${event}\n`),
    });
    const port = await server.start();
    io.stderr(`sluice gen: serving ${corpus} lines on ${host}:${port}${rate === undefined ? '' : ` at ${rate} per client`}; Ctrl-C to stop\n`);
    // The port on stdout, alone, so scripts and tests can read it when --port 0 was given.
    io.stdout(`${port}\n`);
    await new Promise<void>((resolve) => {
      const unsubscribe = io.onSignal(() => {
        unsubscribe();
        resolve();
      });
    });
    await server.stop();
    io.stderr(`sluice gen: stopped after ${server.stats.linesSent} lines to ${server.stats.clientsServed} client(s)\n`);
    return EXIT_OK;
  },
});

async function genToKafka(io: CliIo, brokers: string, topic: string, lines: ReturnType<typeof createCorpus>, options: { linesPerSecond?: number; count?: number }): Promise<number> {
  const client = kafkajsClient({ brokers: brokers.split(',') });
  try {
    const generator = new CorpusProducer({ producer: await client.producer(), topic, lines, ...options });
    const unsubscribe = io.onSignal(() => generator.stop());
    io.stderr(`sluice gen: writing lines into Kafka topic ${topic} at ${brokers}${options.count === undefined ? '; Ctrl-C to stop' : ''}\n`);
    try {
      await generator.run();
    } finally {
      unsubscribe();
    }
    io.stderr(`sluice gen: wrote ${generator.linesWritten} lines to ${topic}\n`);
    return EXIT_OK;
  } finally {
    await client.close();
  }
}
