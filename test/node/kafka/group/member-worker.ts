/**
 * A group member in its own process, for tests that kill one with SIGKILL:
 * `node member-worker.js <brokers> <groupId> <topic> <sessionTimeoutMs>` joins
 * and prints each assignment as a JSON line until it is killed.
 */
import { GroupMembership } from '../../../../src/node/kafka/group/group-membership.js';

const [brokers = '', groupId = '', topic = '', session = '6000'] = process.argv.slice(2);
await GroupMembership.join({
  brokers: brokers.split(','),
  groupId,
  topics: [topic],
  sessionTimeoutMs: Number(session),
  onChange: (assignment) => process.stdout.write(`${JSON.stringify(assignment)}\n`),
  onError: (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
});
setInterval(() => undefined, 60_000);
