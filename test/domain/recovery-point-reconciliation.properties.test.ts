import fc from 'fast-check';
import { claimedStorageSnapshots, recoveryPointDrift, type RecoveryPointDrift } from '../../lambdas/domain/recovery-point-reconciliation';
import type { RecoveryPointCopy, RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';

const RUNS = { numRuns: 300 };
const SOURCE = 'eu-west-1';
const REGIONS = [SOURCE, 'eu-central-1', 'us-east-1'];
/** Few handles, so records and copies share some and the provider's answers hit and miss. */
const handle = fc.integer({ min: 0, max: 11 }).map((n) => `snap-${n.toString(16).padStart(17, '0')}`);

const copy = (backup: string): fc.Arbitrary<RecoveryPointCopy> =>
  fc
    .record({
      region: fc.constantFrom(...REGIONS.slice(1)),
      handles: fc.uniqueArray(handle, { minLength: 1, maxLength: 3 }),
      completed: fc.boolean(),
    })
    .map(({ region, handles, completed }) => ({
      region,
      kmsKeyId: `arn:aws:kms:${region}:123456789012:key/dr`,
      startedAt: '2026-12-01T10:00:00Z',
      ...(completed && { completedAt: '2026-12-01T10:30:00Z' }),
      expiresAt: '2026-12-31T10:00:00Z',
      volumes: handles.map((snapshotHandle, index) => ({
        role: index === 0 ? 'PG_DATA' : 'PG_WAL',
        sourceSnapshotHandle: `snap-source-${backup}-${index}`,
        snapshotHandle,
      })),
    }));

const record = (backup: string): fc.Arbitrary<RecoveryPointRecord> =>
  fc
    .record({
      handles: fc.uniqueArray(handle, { minLength: 1, maxLength: 3 }),
      expired: fc.boolean(),
      copies: fc.uniqueArray(copy(backup), { maxLength: 2, selector: (c) => c.region }),
    })
    .map(({ handles, expired, copies }) => ({
      target: 'hendrix',
      backup,
      eksCluster: 'prod-eks',
      namespace: 'demo',
      cluster: 'hendrix',
      stoppedAt: '2026-12-01T10:03:00Z',
      volumes: handles.map((snapshotHandle, index) => ({
        role: index === 0 ? 'PG_DATA' : 'PG_WAL',
        snapshot: `${backup}-${index}`,
        content: `snapcontent-${backup}-${index}`,
        snapshotHandle,
        restoreSizeBytes: 2 ** 30,
        driver: 'ebs.csi.aws.com',
      })),
      clusterManifest: '{}',
      ...(expired && { expiredAt: '2026-12-01T12:00:00Z' }),
      ...(copies.length > 0 && { copies }),
    }));

const records: fc.Arbitrary<RecoveryPointRecord[]> = fc
  .uniqueArray(fc.integer({ min: 0, max: 30 }), { maxLength: 6 })
  .chain((ids) => fc.tuple(...ids.map((id) => record(`hendrix-${id}`))));

/** What the provider still has, by Region: any subset of the handles in each Region asked about. */
const existingOf = (claimed: Map<string, string[]>): fc.Arbitrary<Map<string, Set<string>>> =>
  fc
    .tuple(...[...claimed].map(([region, handles]) => fc.subarray(handles).map((kept) => [region, new Set(kept)] as const)))
    .map((entries) => new Map(entries));

const scenario = records.chain((rs) => existingOf(claimedStorageSnapshots(rs, SOURCE)).map((existing) => ({ records: rs, existing })));

/** The catalog after the reconciliation: lost records expired, lost copies dropped. */
function applied(records: readonly RecoveryPointRecord[], drift: RecoveryPointDrift): RecoveryPointRecord[] {
  const lost = new Set(drift.lost.map((l) => l.backup));
  const droppedCopies = new Set(drift.lostCopies.map((c) => `${c.backup}/${c.region}`));
  return records.map((r) => ({
    ...r,
    ...(lost.has(r.backup) && { expiredAt: '2026-12-02T00:00:00Z' }),
    ...(r.copies && { copies: r.copies.filter((c) => !droppedCopies.has(`${r.backup}/${c.region}`)) }),
  }));
}

const isAll = (handles: readonly string[], existing: ReadonlySet<string> | undefined) => handles.every((h) => existing?.has(h) === true);

describe('the reconciliation of the recovery-point catalog with the provider', () => {
  test('asks the provider about exactly the snapshots the catalog claims, in their Regions', () => {
    fc.assert(
      fc.property(records, (rs) => {
        const claimed = claimedStorageSnapshots(rs, SOURCE);
        const expected = new Map<string, Set<string>>();
        const add = (region: string, h: string) => expected.set(region, new Set([...(expected.get(region) ?? []), h]));
        for (const r of rs) {
          if (r.expiredAt === undefined) for (const v of r.volumes) add(SOURCE, v.snapshotHandle);
          for (const c of r.copies ?? []) for (const v of c.volumes) add(c.region, v.snapshotHandle);
        }
        expect(new Map([...claimed].map(([region, hs]) => [region, new Set(hs)]))).toEqual(expected);
      }),
      RUNS,
    );
  });

  test('afterwards the catalog claims no snapshot the provider does not have', () => {
    fc.assert(
      fc.property(scenario, ({ records: rs, existing }) => {
        const after = claimedStorageSnapshots(applied(rs, recoveryPointDrift({ records: rs, sourceRegion: SOURCE, existing })), SOURCE);
        for (const [region, handles] of after) for (const h of handles) expect(existing.get(region)?.has(h)).toBe(true);
      }),
      RUNS,
    );
  });

  test('never gives up a recovery point or a copy whose every snapshot is still there', () => {
    fc.assert(
      fc.property(scenario, ({ records: rs, existing }) => {
        const drift = recoveryPointDrift({ records: rs, sourceRegion: SOURCE, existing });
        for (const r of rs) {
          const handles = r.volumes.map((v) => v.snapshotHandle);
          const isLost = drift.lost.some((l) => l.backup === r.backup);
          expect(isLost).toBe(r.expiredAt === undefined && !isAll(handles, existing.get(SOURCE)));
          for (const c of r.copies ?? []) {
            const copyLost = drift.lostCopies.some((l) => l.backup === r.backup && l.region === c.region);
            expect(copyLost).toBe(
              !isAll(
                c.volumes.map((v) => v.snapshotHandle),
                existing.get(c.region),
              ),
            );
          }
        }
      }),
      RUNS,
    );
  });

  test('names exactly the snapshots that are missing', () => {
    fc.assert(
      fc.property(scenario, ({ records: rs, existing }) => {
        const drift = recoveryPointDrift({ records: rs, sourceRegion: SOURCE, existing });
        for (const { backup, snapshotHandles } of drift.lost) {
          const r = rs.find((candidate) => candidate.backup === backup)!;
          expect(snapshotHandles).toEqual(r.volumes.map((v) => v.snapshotHandle).filter((h) => !existing.get(SOURCE)?.has(h)));
        }
        for (const { backup, region, snapshotHandles } of drift.lostCopies) {
          const c = rs.find((candidate) => candidate.backup === backup)!.copies!.find((candidate) => candidate.region === region)!;
          expect(snapshotHandles).toEqual(c.volumes.map((v) => v.snapshotHandle).filter((h) => !existing.get(region)?.has(h)));
        }
      }),
      RUNS,
    );
  });

  test('judges nothing in a Region the provider was not asked about', () => {
    fc.assert(
      fc.property(records, (rs) => {
        expect(recoveryPointDrift({ records: rs, sourceRegion: SOURCE, existing: new Map() })).toEqual({ lost: [], lostCopies: [] });
      }),
      RUNS,
    );
  });
});
