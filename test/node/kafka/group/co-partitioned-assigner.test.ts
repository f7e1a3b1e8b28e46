import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../../src/errors.js';
import { assignTasks, coPartitionedCount, decodeOwnedTasks, encodeOwnedTasks, type MemberTasks } from '../../../../src/node/kafka/group/co-partitioned-assigner.js';

const fresh = (...ids: string[]): MemberTasks[] => ids.map((memberId) => ({ memberId, owned: [], generation: -1 }));
const owning = (owned: Record<string, number[]>, generation = 1): MemberTasks[] => Object.entries(owned).map(([memberId, tasks]) => ({ memberId, owned: tasks, generation }));

function assertPartitioned(result: Map<string, number[]>, partitionCount: number): void {
  const all = [...result.values()].flat().sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: partitionCount }, (_, i) => i), 'every task exactly once');
  const sizes = [...result.values()].map((tasks) => tasks.length);
  assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `balanced: ${sizes.join(',')}`);
  for (const tasks of result.values()) assert.deepEqual(tasks, [...tasks].sort((a, b) => a - b), 'ascending');
}

/** How many tasks changed owner from `before` to `after`. */
function moved(before: Record<string, number[]>, after: Map<string, number[]>): number {
  let count = 0;
  for (const [member, tasks] of Object.entries(before)) for (const task of tasks) if (!(after.get(member) ?? []).includes(task)) count++;
  return count;
}

describe('co-partitioned assignment', () => {
  it('gives every task to exactly one member, counts differing by at most one, for any group size', () => {
    for (let partitions = 1; partitions <= 12; partitions++) {
      for (let members = 1; members <= 8; members++) {
        const result = assignTasks(fresh(...Array.from({ length: members }, (_, i) => `m${i}`)), partitions);
        assert.equal(result.size, members, 'every member gets an entry, empty where there are more members than tasks');
        assertPartitioned(result, partitions);
      }
    }
  });

  it('depends only on the members, not on the order they arrive in', () => {
    const members = owning({ c: [5, 1], a: [0], b: [2, 3, 4] });
    const expected = assignTasks(members, 6);
    const reversed = assignTasks([...members].reverse(), 6);
    assert.deepEqual([...reversed].sort(), [...expected].sort());
    assert.deepEqual(assignTasks(fresh('b', 'a', 'c'), 6), new Map([['a', [0, 1]], ['b', [2, 3]], ['c', [4, 5]]]));
  });

  it('keeps members on their tasks when a member joins: only the new member\'s share moves', () => {
    const before = { a: [0, 1, 2], b: [3, 4, 5] };
    const result = assignTasks([...owning(before), ...fresh('c')], 6);
    assertPartitioned(result, 6);
    assert.equal(result.get('c')?.length, 2);
    assert.equal(moved(before, result), 2, 'exactly the two tasks the newcomer needs');
    assert.deepEqual(result.get('a'), [0, 1]);
    assert.deepEqual(result.get('b'), [3, 4]);
    assert.deepEqual(result.get('c'), [2, 5]);
  });

  it('keeps members on their tasks when a member leaves: only the leaver\'s tasks move', () => {
    const before = { a: [0, 3], b: [1, 4], c: [2, 5] };
    const result = assignTasks(owning({ a: [0, 3], c: [2, 5] }), 6);
    assertPartitioned(result, 6);
    assert.equal(moved({ a: before.a, c: before.c }, result), 0);
    assert.deepEqual(result, new Map([['a', [0, 1, 3]], ['c', [2, 4, 5]]]));
  });

  it('gives the larger shares to the members that own most, so an uneven split moves nothing it need not', () => {
    const before = { a: [0, 1], b: [2, 3, 4, 5, 6] };
    const result = assignTasks(owning(before), 7);
    assertPartitioned(result, 7);
    assert.equal(result.get('b')?.length, 4, 'b owned more, so b keeps the larger share');
    assert.equal(moved(before, result), 1);
  });

  it('moves the fewest tasks balance allows, over random sequences of members joining and leaving', () => {
    let seed = 11;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let scenario = 0; scenario < 200; scenario++) {
      const partitions = 1 + random(16);
      let owned = new Map<string, number[]>();
      let next = 0;
      for (let step = 0; step < 6; step++) {
        const stay = [...owned.keys()].filter(() => random(4) !== 0);
        const joining = Array.from({ length: random(3) + (stay.length === 0 ? 1 : 0) }, () => `m${String(next++).padStart(3, '0')}`);
        const members = [...stay.map((memberId) => ({ memberId, owned: owned.get(memberId) ?? [], generation: step })), ...fresh(...joining)];
        const result = assignTasks(members, partitions);
        assertPartitioned(result, partitions);
        // The least any balanced assignment must move: the leavers' tasks, plus what stayers own beyond their share, the larger shares going to those owning most.
        const base = Math.floor(partitions / members.length);
        const keptCounts = members.map((m) => m.owned.length).sort((a, b) => b - a);
        const excess = keptCounts.reduce((sum, count, i) => sum + Math.max(0, count - (base + (i < partitions % members.length ? 1 : 0))), 0);
        const leavers = [...owned].filter(([id]) => !stay.includes(id)).reduce((sum, [, tasks]) => sum + tasks.length, 0);
        assert.equal(moved(Object.fromEntries(owned), result), leavers + excess, `scenario ${scenario} step ${step}`);
        owned = result;
      }
    }
  });

  it('settles a task two members both report in favour of the later generation', () => {
    const result = assignTasks(
      [
        { memberId: 'a', owned: [0, 1, 2], generation: 3 },
        { memberId: 'b', owned: [2, 3], generation: 5 },
      ],
      4,
    );
    assert.deepEqual(result, new Map([['a', [0, 1]], ['b', [2, 3]]]));
  });

  it('ignores reported tasks beyond the partition count (the topics shrank or the report is garbage)', () => {
    const result = assignTasks(owning({ a: [0, 7, -1, 1.5], b: [1] }), 4);
    assertPartitioned(result, 4);
    assert.ok(result.get('a')?.includes(0));
    assert.ok(result.get('b')?.includes(1));
  });

  it('refuses topics with different partition counts, naming each, and topics without partitions', () => {
    assert.equal(coPartitionedCount(new Map([['words', 6], ['words-repartition', 6]])), 6);
    assert.throws(
      () => coPartitionedCount(new Map([['words', 6], ['clicks', 3]])),
      (e: unknown) => e instanceof InvalidArgumentError && /same number of partitions/.test(e.message) && /words: 6/.test(e.message) && /clicks: 3/.test(e.message),
    );
    assert.throws(() => coPartitionedCount(new Map([['missing', 0]])), (e: unknown) => e instanceof InvalidArgumentError && /must exist/.test(e.message));
    assert.throws(() => coPartitionedCount(new Map()), InvalidArgumentError);
  });

  it('carries a member\'s tasks and generation in its userData; anything else reads as owning nothing', () => {
    assert.deepEqual(decodeOwnedTasks(encodeOwnedTasks({ partitions: [4, 1], generation: 7 })), { partitions: [4, 1], generation: 7 });
    for (const garbage of [undefined, null, Buffer.alloc(0), Buffer.from('not json'), Buffer.from('{"p":"x"}'), Buffer.from('[1,2]')]) {
      assert.deepEqual(decodeOwnedTasks(garbage).partitions, []);
    }
  });
});
