import fc from 'fast-check';
import { SnapshotRole } from '../../lambdas/domain/cnpg-api';
import { catalogChangesOfRetention, type RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';
import { catalogReadsOfRetention } from '../../lambdas/domain/retention-catalog-reads';
import { scheduleDeletions } from '../../lambdas/domain/retention-deletions';
import { planRetention } from '../../lambdas/domain/retention-plan';
import { historyArbitrary, rfc3339 } from './retention-arbitraries';

const BACKUP_LABEL = 'cnpg.io/backupName';

/** The record CheckBackup would have made of a backup, from the snapshots that carry its name. */
function recordOf(
  backup: string,
  snapshots: ReadonlyArray<{ name: string; content: string }>,
  state: { expired: boolean; copied: boolean },
) {
  const record: RecoveryPointRecord = {
    target: 'hendrix-hourly',
    backup,
    eksCluster: 'prod-eks',
    namespace: 'demo',
    cluster: 'hendrix',
    stoppedAt: '2026-11-25T00:00:00Z',
    volumes: snapshots.map(({ name, content }) => ({
      role: SnapshotRole.PgData,
      snapshot: name,
      content,
      snapshotHandle: `snap-${name}`,
      restoreSizeBytes: 1,
      driver: 'ebs.csi.aws.com',
    })),
    clusterManifest: '{}',
    ...(state.expired && { expiredAt: rfc3339(Date.parse('2026-11-25T11:00:00Z')) }),
    ...(state.copied && {
      copies: [
        {
          region: 'eu-west-1',
          kmsKeyId: 'arn:aws:kms:eu-west-1:1:key/k',
          startedAt: '2026-11-25T01:00:00Z',
          expiresAt: '2027-01-01T00:00:00Z',
          volumes: [],
        },
      ],
    }),
  };
  return record;
}

describe('the records a routine retention run reads', () => {
  test('give the same expiries as reading every record, and removals only of records the full read removes too', () => {
    const state = fc.record({ expired: fc.boolean(), copied: fc.boolean() });
    fc.assert(
      fc.property(
        historyArbitrary,
        fc.integer({ min: 0, max: 40 }),
        fc.array(state, { minLength: 90, maxLength: 90 }),
        fc.array(fc.record({ snapshots: fc.nat(3), state }), { maxLength: 4 }),
        (inputs, budget, states, gone) => {
          const plan = planRetention(inputs);
          const schedule = scheduleDeletions(plan, { scope: inputs.policy.scope, budget });
          // One record per backup any snapshot names, and records of backups nothing in the namespace names any more.
          const byBackup = new Map<string, Array<{ name: string; content: string }>>();
          for (const s of inputs.snapshots) {
            const backup = s.metadata.labels?.[BACKUP_LABEL];
            const content = s.status?.boundVolumeSnapshotContentName;
            if (backup !== undefined && content !== undefined)
              byBackup.set(backup, [...(byBackup.get(backup) ?? []), { name: s.metadata.name, content }]);
          }
          const records = [
            ...[...byBackup].map(([backup, snapshots], i) => recordOf(backup, snapshots, states[i % states.length]!)),
            ...gone.map(({ snapshots, state: s }, i) =>
              recordOf(
                `vanished-${i}`,
                Array.from({ length: snapshots }, (_, v) => ({ name: `vanished-${i}-${v}`, content: `c-${i}-${v}` })),
                s,
              ),
            ),
          ];
          const releasedContents = new Set(schedule.steps.flatMap((step) => (step.verb === 'release' ? [step.name] : [])));
          const deleted = new Set(
            schedule.steps.flatMap((step) => (step.verb === 'delete' && step.resource === 'volumesnapshots' ? [step.name] : [])),
          );
          const remainingSnapshots = new Set(inputs.snapshots.map((s) => s.metadata.name).filter((name) => !deleted.has(name)));
          const full = catalogChangesOfRetention({ records, releasedContents, remainingSnapshots });

          const reads = catalogReadsOfRetention('backup', plan, schedule);
          expect(reads.all).toBe(false);
          const named = new Set(reads.all ? [] : reads.backups);
          const routine = catalogChangesOfRetention({
            records: records.filter((r) => named.has(r.backup)),
            releasedContents,
            remainingSnapshots,
          });

          // No record that claims storage this run releases is left unexpired.
          expect(routine.expire).toEqual(full.expire);
          expect(full.remove).toEqual(expect.arrayContaining(routine.remove));
          // What only the daily sweep removes: records none of whose snapshots the namespace lists any more.
          const listed = new Set(inputs.snapshots.map((s) => s.metadata.name));
          for (const backup of full.remove.filter((b) => !routine.remove.includes(b)))
            expect(records.find((r) => r.backup === backup)!.volumes.filter((v) => listed.has(v.snapshot))).toEqual([]);

          for (const trigger of ['schedule', 'manual'] as const)
            expect(catalogReadsOfRetention(trigger, plan, schedule)).toEqual({ all: true });
        },
      ),
      { numRuns: 300 },
    );
  });
});
