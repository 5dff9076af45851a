import fc from 'fast-check';
import type { VolumeSnapshot } from '../../lambdas/domain/kube-objects';
import { SnapshotGroups } from '../../lambdas/domain/retention-snapshot-groups';
import { NOW, TARGET, snapshotObject } from './retention-arbitraries';

const nameOf = (snapshot: VolumeSnapshot) => snapshot.metadata.name;
const byName = (a: VolumeSnapshot, b: VolumeSnapshot) => (nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0);

function snapshot(name: string, backupName: string | null, options: { markedFor?: string; deleting?: boolean } = {}): VolumeSnapshot {
  return snapshotObject({ name, backupName, createdAt: NOW.getTime(), ...options });
}

/** The snapshots of a group, as the planner reads them. */
function snapshotsOf(groups: SnapshotGroups, backupName: string): string[] | undefined {
  const group = groups.find(backupName);
  return group === undefined ? undefined : groups.ordered.slice(groups.start(group), groups.end(group)).map(nameOf);
}

/** Groups worked out the plain way: by label, each by name. */
function expectedGroups(snapshots: readonly VolumeSnapshot[]): Map<string, string[]> {
  const groups = new Map<string, VolumeSnapshot[]>();
  for (const s of snapshots) {
    const label = s.metadata.labels?.['cnpg.io/backupName'];
    if (label !== undefined) groups.set(label, [...(groups.get(label) ?? []), s]);
  }
  return new Map([...groups].map(([label, members]) => [label, [...members].sort(byName).map(nameOf)]));
}

describe('snapshot groups', () => {
  const listing = [
    snapshot('by-hand', null),
    snapshot('hendrix-1', 'hendrix-1'),
    snapshot('hendrix-1-wal', 'hendrix-1'),
    snapshot('hendrix-2', 'hendrix-2'),
    snapshot('hendrix-2-tbs-archive', 'hendrix-2'),
    snapshot('hendrix-2-wal', 'hendrix-2'),
  ];

  test('of a namespace listed by name are ranges of the listing itself, each by name', () => {
    const groups = new SnapshotGroups(listing, TARGET);
    expect(groups.ordered).toBe(listing);
    expect(groups.count).toBe(2);
    expect(snapshotsOf(groups, 'hendrix-1')).toEqual(['hendrix-1', 'hendrix-1-wal']);
    expect(snapshotsOf(groups, 'hendrix-2')).toEqual(['hendrix-2', 'hendrix-2-tbs-archive', 'hendrix-2-wal']);
  });

  test('of a namespace listed in another order are the same, each by name, numbered in the order first listed', () => {
    const groups = new SnapshotGroups([listing[5]!, listing[2]!, listing[0]!, listing[3]!, listing[1]!, listing[4]!], TARGET);
    expect(groups.count).toBe(2);
    expect(groups.backupName(0)).toBe('hendrix-2');
    expect(snapshotsOf(groups, 'hendrix-1')).toEqual(['hendrix-1', 'hendrix-1-wal']);
    expect(snapshotsOf(groups, 'hendrix-2')).toEqual(['hendrix-2', 'hendrix-2-tbs-archive', 'hendrix-2-wal']);
  });

  test('hold no snapshot without a backup label, and find no group for a name no label carries', () => {
    const groups = new SnapshotGroups(listing, TARGET);
    expect(snapshotsOf(groups, 'by-hand')).toBeUndefined();
    expect(snapshotsOf(groups, 'hendrix-0')).toBeUndefined();
    expect(snapshotsOf(groups, 'hendrix-3')).toBeUndefined();
  });

  test('find every group, whatever the order of the listing and of the lookups', () => {
    const names = fc.constantFrom('a', 'a-wal', 'b', 'b-wal', 'ab', 'c', 'c-tbs', 'manual');
    const labels = fc.constantFrom<string | null>('a', 'ab', 'b', 'c', 'gone', null);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(names, labels), { maxLength: 12 }),
        fc.boolean(),
        fc.array(fc.constantFrom('a', 'ab', 'b', 'c', 'gone', 'none')),
        (specs, listedByName, lookups) => {
          const snapshots = specs.map(([name, label]) => snapshot(name, label));
          if (listedByName) snapshots.sort(byName);
          const groups = new SnapshotGroups(snapshots, TARGET);
          const expected = expectedGroups(snapshots);
          expect(groups.count).toBe(expected.size);
          for (const backupName of [...lookups, ...expected.keys()])
            expect(snapshotsOf(groups, backupName)).toEqual(expected.get(backupName));
        },
      ),
      { numRuns: 300 },
    );
  });

  test("read each grouped snapshot's name, mark, deletion and content as the snapshot itself holds them", () => {
    const names = fc.constantFrom('a', 'a-wal', 'b', 'b-wal', 'ab', 'c', 'c-tbs');
    const labels = fc.constantFrom<string | null>('a', 'ab', 'b', 'c', null);
    const marks = fc.constantFrom(undefined, TARGET, 'another-target');
    fc.assert(
      fc.property(fc.array(fc.tuple(names, labels, marks, fc.boolean()), { maxLength: 12 }), fc.boolean(), (specs, listedByName) => {
        const snapshots = specs.map(([name, label, markedFor, deleting]) => snapshot(name, label, { markedFor, deleting }));
        if (listedByName) snapshots.sort(byName);
        const groups = new SnapshotGroups(snapshots, TARGET);
        for (let group = 0; group < groups.count; group += 1)
          for (let at = groups.start(group); at < groups.end(group); at += 1) {
            const { metadata, status } = groups.ordered[at]!;
            expect(groups.name(at)).toBe(metadata.name);
            expect(groups.isMarked(at)).toBe(metadata.labels?.['cnpg-snapshot-scheduler/target'] === TARGET);
            expect(groups.isBeingDeleted(at)).toBe(metadata.deletionTimestamp !== undefined);
            expect(groups.content(at)).toBe(status?.boundVolumeSnapshotContentName);
          }
      }),
      { numRuns: 300 },
    );
  });
});
