import fc from 'fast-check';
import { COPY_DEADLINE_HOURS } from '../../lambdas/domain/copy-progress';
import { planCopyRetention, recordsWithNothingLeft, snapshotKey, type CopyRetentionPlan } from '../../lambdas/domain/copy-retention';
import type { RecoveryPointCopy, RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';
import { snapshotCopyTags } from '../../lambdas/domain/snapshot-copy-request';

const RUNS = { numRuns: 300 };
const TARGET = 'hendrix';
const REGIONS = ['us-west-2', 'eu-central-1'] as const;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.parse('2026-11-01T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** What a copy's snapshot is in its Region: gone, ours (tagged as the copy), or someone else's under that id. */
type SnapshotFate = 'absent' | 'ours' | 'foreign';

interface Scenario {
  records: RecoveryPointRecord[];
  now: Date;
  described: Map<string, { tags: Record<string, string> }>;
}

const copyArbitrary = (volumes: number) =>
  fc.record({
    startedAfterMinutes: fc.integer({ min: 1, max: 90 }),
    completedAfterMinutes: fc.option(fc.integer({ min: 5, max: 3 * 24 * 60 }), { nil: undefined }),
    keepDays: fc.integer({ min: 1, max: 20 }),
    fates: fc.array(fc.constantFrom<SnapshotFate>('absent', 'ours', 'ours', 'foreign'), { minLength: volumes, maxLength: volumes }),
  });

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .array(
    fc.record({
      hour: fc.integer({ min: 0, max: 40 * 24 }),
      volumes: fc.integer({ min: 1, max: 2 }),
      expired: fc.boolean(),
      regions: fc.subarray([...REGIONS]),
    }),
    { maxLength: 14 },
  )
  .chain((specs) =>
    fc
      .record({
        copies: fc.tuple(
          ...specs.map((spec) => fc.array(copyArbitrary(spec.volumes), { minLength: spec.regions.length, maxLength: spec.regions.length })),
        ),
        nowDays: fc.integer({ min: 0, max: 70 }),
        foreignTag: fc.constantFrom('target', 'backup', 'source', 'none'),
      })
      .map(({ copies, nowDays, foreignTag }) => {
        const described = new Map<string, { tags: Record<string, string> }>();
        const seen = new Set<string>();
        const records = specs.flatMap((spec, index): RecoveryPointRecord[] => {
          const backup = `hendrix-${String(spec.hour).padStart(4, '0')}-${index}`;
          if (seen.has(backup)) return [];
          seen.add(backup);
          const stoppedAt = START + spec.hour * HOUR;
          const volumes = Array.from({ length: spec.volumes }, (_, v) => ({
            role: v === 0 ? ('PG_DATA' as const) : ('PG_WAL' as const),
            snapshot: `${backup}-${v}`,
            content: `c-${backup}-${v}`,
            snapshotHandle: `snap-${backup}-${v}`,
            restoreSizeBytes: 1,
            driver: 'ebs.csi.aws.com',
          }));
          const recordCopies = spec.regions.map((region, r): RecoveryPointCopy => {
            const copy = copies[index]![r]!;
            const startedAt = stoppedAt + copy.startedAfterMinutes * 60_000;
            volumes.forEach((volume, v) => {
              const id = `copy-${backup}-${region}-${v}`;
              const fate = copy.fates[v]!;
              const tags = snapshotCopyTags(TARGET, backup, volume.snapshotHandle);
              if (fate === 'ours') described.set(snapshotKey(region, id), { tags });
              if (fate === 'foreign') described.set(snapshotKey(region, id), { tags: foreignTags(tags, foreignTag) });
            });
            return {
              region,
              kmsKeyId: `arn:aws:kms:${region}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
              startedAt: iso(startedAt),
              ...(copy.completedAfterMinutes !== undefined && { completedAt: iso(startedAt + copy.completedAfterMinutes * 60_000) }),
              expiresAt: iso(stoppedAt + copy.keepDays * DAY),
              volumes: volumes.map((volume, v) => ({
                role: volume.role,
                sourceSnapshotHandle: volume.snapshotHandle,
                snapshotHandle: `copy-${backup}-${region}-${v}`,
              })),
            };
          });
          return [
            {
              target: TARGET,
              backup,
              eksCluster: 'prod-eks',
              namespace: 'demo',
              cluster: 'hendrix',
              stoppedAt: iso(stoppedAt),
              volumes,
              clusterManifest: '{}',
              ...(spec.expired && { expiredAt: iso(stoppedAt + 7 * DAY) }),
              ...(recordCopies.length > 0 && { copies: recordCopies }),
            },
          ];
        });
        return { records, now: new Date(START + nowDays * DAY), described };
      }),
  );

/** Tags that are close to ours but not ours: one of the marks is another's, or there are none. */
function foreignTags(tags: Record<string, string>, which: string): Record<string, string> {
  if (which === 'target') return { ...tags, 'cnpg-snapshot-scheduler/target': 'jimi' };
  if (which === 'backup') return { ...tags, 'cnpg-snapshot-scheduler/backup': 'someone-else' };
  if (which === 'source') return { ...tags, 'cnpg-snapshot-scheduler/source-snapshot': 'snap-other' };
  return {};
}

const copiesOf = (records: readonly RecoveryPointRecord[]) =>
  records.flatMap((record) => (record.copies ?? []).map((copy) => ({ record, copy })));
const deletedKeys = (plan: CopyRetentionPlan) => new Set(plan.deletions.map((d) => snapshotKey(d.region, d.snapshotId)));
const plan = ({ records, now, described }: Scenario) => planCopyRetention({ target: TARGET, records, now, described });

/** The newest completed copy of each Region, as `backup@region`. */
function newestCompleted(records: readonly RecoveryPointRecord[]): Set<string> {
  const newest = new Map<string, RecoveryPointRecord>();
  for (const { record, copy } of copiesOf(records)) {
    if (copy.completedAt === undefined) continue;
    const current = newest.get(copy.region);
    if (!current || record.stoppedAt > current.stoppedAt || (record.stoppedAt === current.stoppedAt && record.backup > current.backup))
      newest.set(copy.region, record);
  }
  return new Set([...newest].map(([region, record]) => `${record.backup}@${region}`));
}

/** The scenario after the plan is carried out: the deleted snapshots gone, the forgotten copies out of the catalog. */
function applied(scenario: Scenario, result: CopyRetentionPlan): Scenario {
  const deleted = deletedKeys(result);
  const forgotten = new Set(result.forget.map((ref) => `${ref.backup}@${ref.region}`));
  const records = scenario.records.map((record) => {
    const copies = (record.copies ?? []).filter((copy) => !forgotten.has(`${record.backup}@${copy.region}`));
    const { copies: _dropped, ...rest } = record;
    return copies.length > 0 ? { ...rest, copies } : rest;
  });
  const described = new Map([...scenario.described].filter(([key]) => !deleted.has(key)));
  return { ...scenario, records, described };
}

describe('copy retention', () => {
  test('never deletes a snapshot that is not marked as our copy of that backup and source', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        for (const deletion of plan(scenario).deletions) {
          const snapshot = scenario.described.get(snapshotKey(deletion.region, deletion.snapshotId));
          const record = scenario.records.find((r) => r.backup === deletion.backup)!;
          const volume = record
            .copies!.find((c) => c.region === deletion.region)!
            .volumes.find((v) => v.snapshotHandle === deletion.snapshotId)!;
          expect(snapshot?.tags).toEqual(snapshotCopyTags(TARGET, record.backup, volume.sourceSnapshotHandle));
        }
      }),
      RUNS,
    );
  });

  test('never deletes a copy before its expiresAt, nor the newest completed copy of a Region, nor one still copying', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const result = plan(scenario);
        const touched = new Set([...result.deletions, ...result.forget].map((ref) => `${ref.backup}@${ref.region}`));
        const newest = newestCompleted(scenario.records);
        for (const { record, copy } of copiesOf(scenario.records)) {
          const key = `${record.backup}@${copy.region}`;
          if (!touched.has(key)) continue;
          expect(Date.parse(copy.expiresAt)).toBeLessThanOrEqual(scenario.now.getTime());
          expect(newest.has(key)).toBe(false);
          if (copy.completedAt === undefined)
            expect(Date.parse(copy.startedAt)).toBeLessThanOrEqual(scenario.now.getTime() - COPY_DEADLINE_HOURS * HOUR);
        }
      }),
      RUNS,
    );
  });

  test('deletes every snapshot of ours of each other expired copy, and forgets a copy only when none of its snapshots is left', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const result = plan(scenario);
        const deleted = deletedKeys(result);
        const forgotten = new Set(result.forget.map((ref) => `${ref.backup}@${ref.region}`));
        const newest = newestCompleted(scenario.records);
        for (const { record, copy } of copiesOf(scenario.records)) {
          const key = `${record.backup}@${copy.region}`;
          const settled =
            copy.completedAt !== undefined || Date.parse(copy.startedAt) <= scenario.now.getTime() - COPY_DEADLINE_HOURS * HOUR;
          const doomed = Date.parse(copy.expiresAt) <= scenario.now.getTime() && !newest.has(key) && settled;
          const left = copy.volumes.map((v) => snapshotKey(copy.region, v.snapshotHandle)).filter((k) => scenario.described.has(k));
          const ours = left.filter((k) => {
            const v = copy.volumes.find((volume) => snapshotKey(copy.region, volume.snapshotHandle) === k)!;
            return (
              JSON.stringify(scenario.described.get(k)!.tags) ===
              JSON.stringify(snapshotCopyTags(TARGET, record.backup, v.sourceSnapshotHandle))
            );
          });
          if (doomed) for (const k of ours) expect(deleted.has(k)).toBe(true);
          expect(forgotten.has(key)).toBe(doomed && ours.length === left.length);
        }
      }),
      RUNS,
    );
  });

  test('is idempotent: a second run after the first deletes and forgets nothing', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const again = plan(applied(scenario, plan(scenario)));
        expect(again.deletions).toEqual([]);
        expect(again.forget).toEqual([]);
      }),
      RUNS,
    );
  });

  test('removes a record only once the source released it, no copy is left and none of its source snapshots is', () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.func(fc.boolean()), (scenario, sourceLeft) => {
        const result = plan(scenario);
        const sourceSnapshotsLeft = new Set(
          scenario.records.flatMap((r) => r.volumes.map((v) => v.snapshotHandle)).filter((handle) => sourceLeft(handle)),
        );
        const removed = new Set(recordsWithNothingLeft({ records: scenario.records, forgotten: result.forget, sourceSnapshotsLeft }));
        const after = applied(scenario, result);
        for (const record of after.records) {
          const expected =
            record.expiredAt !== undefined &&
            (record.copies ?? []).length === 0 &&
            !record.volumes.some((v) => sourceSnapshotsLeft.has(v.snapshotHandle));
          expect(removed.has(record.backup)).toBe(expected);
        }
      }),
      RUNS,
    );
  });
});
