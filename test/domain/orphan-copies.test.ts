import fc from 'fast-check';
import { findOrphanCopies, ORPHAN_COPY_GRACE_HOURS, orphanCopySearchTags, type TaggedSnapshot } from '../../lambdas/domain/orphan-copies';
import { orphanCopyEvents } from '../../lambdas/domain/orphan-copy-events';
import { snapshotCopyRequests } from '../../lambdas/domain/snapshot-copy-request';
import type { TargetSpec } from '../../lambdas/domain/target-spec';
import { copyOf, copyRecord, DAILY, DR_REGION } from './copy-fixtures';

const CATALOG = 'Scheduler-RecoveryPointCatalog-1A2B3C';
const HOUR = 3_600_000;
const NOW = new Date('2026-12-02T03:30:00Z');
const record = copyRecord('hendrix-20261130000000', '2026-11-30T00:03:00Z');
/** The tags StartSnapshotCopies gives the copy of the record's data volume. */
const copyTags = snapshotCopyRequests({ record, policy: DAILY, sourceRegion: 'eu-west-1', catalog: CATALOG })[0]!.tags;
const startedHoursAgo = (hours: number) => new Date(NOW.getTime() - hours * HOUR).toISOString();
const snapshot = (id: string, extra: Partial<TaggedSnapshot> = {}): TaggedSnapshot => ({
  id,
  region: DR_REGION,
  startTime: startedHoursAgo(ORPHAN_COPY_GRACE_HOURS + 1),
  tags: copyTags,
  ...extra,
});
const orphansOf = (snapshots: TaggedSnapshot[], records = [record]) =>
  findOrphanCopies({ target: 'hendrix', catalog: CATALOG, records, snapshots, now: NOW }).map((o) => o.snapshotId);

describe('a copy no record knows', () => {
  test('is searched for by the tags of the target, the scheduler and this catalog', () => {
    expect(orphanCopySearchTags('hendrix', CATALOG)).toEqual({
      'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler',
      'cnpg-snapshot-scheduler/target': 'hendrix',
      'cnpg-snapshot-scheduler/catalog': CATALOG,
    });
    for (const [key, value] of Object.entries(orphanCopySearchTags('hendrix', CATALOG))) expect(copyTags[key]).toBe(value);
  });

  test('is an orphan once it started more than the grace period ago, with what its tags name', () => {
    expect(
      findOrphanCopies({ target: 'hendrix', catalog: CATALOG, records: [record], snapshots: [snapshot('snap-lost')], now: NOW }),
    ).toEqual([
      {
        region: DR_REGION,
        snapshotId: 'snap-lost',
        backup: record.backup,
        sourceSnapshotId: 'snap-hendrix-20261130000000-data',
        startedAt: startedHoursAgo(ORPHAN_COPY_GRACE_HOURS + 1),
      },
    ]);
  });

  test('is left while younger than the grace period: a start still under way records it', () => {
    expect(orphansOf([snapshot('snap-young', { startTime: startedHoursAgo(ORPHAN_COPY_GRACE_HOURS - 0.01) })])).toEqual([]);
    expect(orphansOf([snapshot('snap-unreadable', { startTime: '' })])).toEqual([]);
  });

  test("a copy in a record's copies, pending or completed, is never one", () => {
    const pending = { ...record, copies: [copyOf(record, { startedAt: startedHoursAgo(50), expiresAt: '2026-12-30T00:03:00Z' })] };
    const known = pending.copies[0]!.volumes.map((v) => snapshot(v.snapshotHandle));
    expect(orphansOf(known, [pending])).toEqual([]);
    const completed = { ...pending, copies: [{ ...pending.copies[0]!, completedAt: startedHoursAgo(49) }] };
    expect(orphansOf(known, [completed])).toEqual([]);
  });

  test('the same id in another Region than the record says is one', () => {
    const recorded = { ...record, copies: [copyOf(record, { startedAt: startedHoursAgo(50), expiresAt: '2026-12-30T00:03:00Z' })] };
    const id = recorded.copies[0]!.volumes[0]!.snapshotHandle;
    expect(orphansOf([snapshot(id, { region: 'eu-central-1' })], [recorded])).toEqual([id]);
  });

  test.each([
    ['untagged', {}],
    ["another deployment's (another catalog)", { ...copyTags, 'cnpg-snapshot-scheduler/catalog': 'Other-RecoveryPointCatalog-9Z' }],
    ['made before copies named their catalog', Object.fromEntries(Object.entries(copyTags).filter(([k]) => !k.endsWith('/catalog')))],
    ["another target's", { ...copyTags, 'cnpg-snapshot-scheduler/target': 'jimi' }],
    ['not marked as managed by the scheduler', { ...copyTags, 'app.kubernetes.io/managed-by': 'someone-else' }],
    ['without the backup it copies', Object.fromEntries(Object.entries(copyTags).filter(([k]) => !k.endsWith('/backup')))],
    ['without its source snapshot', Object.fromEntries(Object.entries(copyTags).filter(([k]) => !k.endsWith('/source-snapshot')))],
  ])('a snapshot %s is never one, however old', (_, tags) => {
    expect(orphansOf([snapshot('snap-x', { tags, startTime: startedHoursAgo(24 * 365) })])).toEqual([]);
  });
});

describe('the sweep of orphan copies (property)', () => {
  const tagKeys = Object.keys(copyTags);
  const snapshotArbitrary = fc.record({
    id: fc.constantFrom('snap-a', 'snap-b', 'snap-c', 'snap-hendrix-20261130000000-data-copy'),
    region: fc.constantFrom(DR_REGION, 'eu-central-1'),
    ageHours: fc.double({ min: 0, max: 24 * 60, noNaN: true }),
    // Each of our tags kept, changed to another value, or dropped.
    tagFates: fc.array(fc.constantFrom('kept', 'kept', 'changed', 'dropped'), { minLength: tagKeys.length, maxLength: tagKeys.length }),
    extraTag: fc.boolean(),
  });

  const ownership = Object.entries(orphanCopySearchTags('hendrix', CATALOG));
  /** The scheduler's, the target's and the catalog's tag as ours; a backup and a source snapshot named, whichever. */
  const isOurs = (tags: Readonly<Record<string, string>>) =>
    ownership.every(([key, value]) => tags[key] === value) &&
    Boolean(tags['cnpg-snapshot-scheduler/backup']) &&
    Boolean(tags['cnpg-snapshot-scheduler/source-snapshot']);

  test('deletes only snapshots with every one of our tags, unknown to every record, older than the grace period', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(snapshotArbitrary, { maxLength: 8, selector: (s) => `${s.region}/${s.id}` }),
        fc.boolean(),
        (specs, recorded) => {
          const records = recorded
            ? [{ ...record, copies: [copyOf(record, { startedAt: startedHoursAgo(30), expiresAt: '2026-12-30T00:03:00Z' })] }]
            : [record];
          const known = new Set(
            records.flatMap((r) => (r.copies ?? []).flatMap((c) => c.volumes.map((v) => `${c.region}/${v.snapshotHandle}`))),
          );
          const snapshots = specs.map((spec): TaggedSnapshot => {
            const tags: Record<string, string> = spec.extraTag ? { Name: 'x' } : {};
            tagKeys.forEach((key, k) => {
              if (spec.tagFates[k] === 'kept') tags[key] = copyTags[key]!;
              if (spec.tagFates[k] === 'changed') tags[key] = `${copyTags[key]!}-other`;
            });
            return { id: spec.id, region: spec.region, startTime: startedHoursAgo(spec.ageHours), tags };
          });
          const orphans = findOrphanCopies({ target: 'hendrix', catalog: CATALOG, records, snapshots, now: NOW });
          for (const orphan of orphans) {
            const source = snapshots.find((s) => s.id === orphan.snapshotId && s.region === orphan.region)!;
            expect(isOurs(source.tags)).toBe(true);
            for (const [key, value] of ownership) expect(source.tags[key]).toBe(value);
            expect(known.has(`${orphan.region}/${orphan.snapshotId}`)).toBe(false);
            expect(NOW.getTime() - Date.parse(source.startTime)).toBeGreaterThanOrEqual(ORPHAN_COPY_GRACE_HOURS * HOUR);
          }
          // Complete: every snapshot meeting all three is an orphan.
          const expected = snapshots.filter(
            (s) =>
              isOurs(s.tags) &&
              !known.has(`${s.region}/${s.id}`) &&
              NOW.getTime() - Date.parse(s.startTime) >= ORPHAN_COPY_GRACE_HOURS * HOUR,
          );
          expect(orphans).toHaveLength(expected.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('Orphan Copy Deleted', () => {
  test('names the target, where it runs, the backup, the Region and both snapshots', () => {
    const target = { name: 'hendrix', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix' } as TargetSpec;
    const [orphan] = findOrphanCopies({
      target: 'hendrix',
      catalog: CATALOG,
      records: [record],
      snapshots: [snapshot('snap-lost')],
      now: NOW,
    });
    expect(orphanCopyEvents(target, [orphan!])).toEqual([
      {
        detailType: 'Orphan Copy Deleted',
        detail: {
          target: 'hendrix',
          eksCluster: 'prod-eks',
          namespace: 'demo',
          cluster: 'hendrix',
          backup: record.backup,
          region: DR_REGION,
          snapshot: 'snap-lost',
          sourceSnapshot: 'snap-hendrix-20261130000000-data',
          startedAt: startedHoursAgo(ORPHAN_COPY_GRACE_HOURS + 1),
        },
      },
    ]);
  });
});
