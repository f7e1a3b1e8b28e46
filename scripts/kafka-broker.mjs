// A real single-node Kafka broker (KRaft, broker + controller in one JVM) for
// the tests and the Kafka benchmark. The jars come from Maven Central into a
// cache outside git (~/.cache/sluice/kafka-<version>, or $SLUICE_CACHE_DIR),
// so a fresh clone needs only Java and Maven. Each start formats a fresh data
// directory and listens on free ports of 127.0.0.1.
//
//   node scripts/kafka-broker.mjs fetch          fetch the jars (once)
//   node scripts/kafka-broker.mjs run [--port N] [--topics name:partitions,...]
//                                                start (on port N, default a free one), create the topics,
//                                                print KAFKA_BROKERS=..., stop on SIGINT/SIGTERM
//
// As a module: `const broker = await startBroker(); ...; await broker.stop()`.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export const KAFKA_VERSION = '4.1.2';
const READY_LINE = 'Kafka Server started';
const START_TIMEOUT_MS = 120_000;

// Kafka 4.x brings slf4j-api 1.7 but no binding; without one the broker logs nothing (and never says it is ready).
const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.sluice</groupId>
  <artifactId>kafka-broker-fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.25.3</version></dependency>
  </dependencies>
</project>
`;

// Everything to stderr, so tool output never mixes with what a caller parses from stdout.
const LOG4J2 = `status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.target = SYSTEM_ERR
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = \${sys:kafka.log.level:-INFO}
rootLogger.appenderRef.out.ref = OUT
`;

export function cacheDir() {
  const base = process.env.SLUICE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sluice');
  return join(base, `kafka-${KAFKA_VERSION}`);
}

/** Fetches the broker's jars with Maven into the cache (a no-op once complete); returns the lib folder. */
export function fetchBroker() {
  const dir = cacheDir();
  const lib = join(dir, 'lib');
  const done = join(dir, 'complete');
  if (existsSync(done)) return lib;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'pom.xml'), POM);
  writeFileSync(join(dir, 'log4j2.properties'), LOG4J2);
  for (const tool of ['java', 'mvn']) {
    if (spawnSync(tool, ['-version'], { stdio: 'ignore' }).status !== 0) {
      throw new Error(`The Kafka tests need '${tool}' on the PATH (Debian: apt-get install -y openjdk-17-jre-headless maven).`);
    }
  }
  console.error(`sluice: fetching Kafka ${KAFKA_VERSION} from Maven Central into ${lib} (once)...`);
  const result = spawnSync(
    'mvn',
    ['-B', '-q', '-f', join(dir, 'pom.xml'), 'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${lib}`],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  if (result.status !== 0) throw new Error(`Maven could not fetch Kafka ${KAFKA_VERSION} (exit ${result.status}); check access to Maven Central, then run: node scripts/kafka-broker.mjs fetch`);
  if (!readdirSync(lib).some((name) => name.startsWith('kafka_2.13-'))) throw new Error(`Maven finished but ${lib} holds no kafka_2.13 jar`);
  writeFileSync(done, new Date().toISOString());
  return lib;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function clusterId() {
  let id;
  do id = randomBytes(16).toString('base64url');
  while (id.startsWith('-'));
  return id;
}

function serverProperties(port, controllerPort, dataDir) {
  return `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${controllerPort}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=${dataDir}
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=3
group.initial.rebalance.delay.ms=0
# Scale-out tests use short sessions so a killed member's partitions move within seconds (Kafka's floor is 6 s).
group.min.session.timeout.ms=1000
auto.create.topics.enable=false
transaction.abort.timed.out.transaction.cleanup.interval.ms=1000
`;
}

/**
 * Formats a fresh data dir and starts the broker; resolves once it logged
 * that it started and its group and transaction coordinators answer.
 * Returns { brokers, logFile, port, controllerPort, home, stop() }.
 * To restart a stopped broker with its data (a broker restart mid-stream),
 * pass the previous { port, controllerPort, home } and `keepData: true` to both starts:
 * stop() then leaves the home for the next start (the caller removes it).
 */
export async function startBroker(options = {}) {
  const lib = fetchBroker();
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'sluice-kafka-'));
  const [port, controllerPort] = [options.port ?? (await freePort()), options.controllerPort ?? (await freePort())];
  const props = join(home, 'server.properties');
  writeFileSync(props, serverProperties(port, controllerPort, join(home, 'data')));
  const java = ['-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${join(cacheDir(), 'log4j2.properties')}`, '-cp', `${lib}/*`];
  // A restart on a kept home reuses its data dir, formatted (with its cluster id) by the first start.
  if (!existsSync(join(home, 'data', 'meta.properties'))) {
    const format = spawnSync('java', [...java, '-Dkafka.log.level=WARN', 'kafka.tools.StorageTool', 'format', '-t', clusterId(), '-c', props, '--ignore-formatted'], { encoding: 'utf8' });
    if (format.status !== 0) throw new Error(`Formatting the Kafka data dir failed (exit ${format.status}): ${format.stderr}`);
  }
  const logFile = join(home, 'broker.log');
  const { openSync } = await import('node:fs');
  // A restart appends to the same log, which already says the first start was ready: look only past this point.
  const logStart = existsSync(logFile) ? readFileSync(logFile).length : 0;
  const out = openSync(logFile, 'a');
  const child = spawn('java', ['-Xmx512m', ...java, 'kafka.Kafka', props], { stdio: ['ignore', out, out] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    }
    if (options.keepData !== true) rmSync(home, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!readFileSync(logFile).subarray(logStart).toString('utf8').includes(READY_LINE)) {
      if (child.exitCode !== null) throw new Error(`The Kafka broker exited with ${child.exitCode} before it was ready; its log:\n${readFileSync(logFile, 'utf8').slice(-4000)}`);
      if (Date.now() > deadline) throw new Error(`The Kafka broker was not ready after ${START_TIMEOUT_MS / 1000} s; its log: ${logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const brokers = `127.0.0.1:${port}`;
    await warmUp(brokers);
    return { brokers, logFile, port, controllerPort, home, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The internal topics are created lazily; touch the group and transaction coordinators so the first test is not the one waiting for them. */
async function warmUp(brokers) {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const kafka = new Kafka({ clientId: 'sluice-warmup', brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { groups } = await admin.describeGroups(['sluice-warmup']).catch(() => ({ groups: [] }));
      if (groups[0]?.errorCode === 0) break;
      if (Date.now() > deadline) throw new Error('The Kafka group coordinator did not come up within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ transactionalId: 'sluice-warmup', idempotent: true, maxInFlightRequests: 1, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 } });
  await producer.connect();
  try {
    const transaction = await producer.transaction();
    await transaction.abort();
  } finally {
    await producer.disconnect();
  }
}

async function createTopics(brokers, topics) {
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const admin = new Kafka({ clientId: 'sluice-broker-script', brokers: [brokers], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: topics.map((t) => ({ ...t, replicationFactor: 1 })), waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const command = process.argv[2];
  if (command === 'fetch') {
    console.log(fetchBroker());
  } else if (command === 'run') {
    const flag = (name) => {
      const i = process.argv.indexOf(`--${name}`);
      return i === -1 ? undefined : process.argv[i + 1];
    };
    const port = flag('port');
    const broker = await startBroker(port === undefined ? {} : { port: Number(port) });
    const topics = (flag('topics') ?? '').split(',').filter((t) => t !== '');
    if (topics.length > 0) await createTopics(broker.brokers, topics.map((t) => ({ topic: t.split(':')[0], numPartitions: Number(t.split(':')[1] ?? 1) })));
    console.log(`KAFKA_BROKERS=${broker.brokers}`);
    const shutdown = () => void broker.stop().then(() => process.exit(0));
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  } else {
    console.error('usage: node scripts/kafka-broker.mjs fetch | run');
    process.exit(2);
  }
}
