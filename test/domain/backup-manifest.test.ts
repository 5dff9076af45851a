import fc from 'fast-check';
import { buildBackupManifest, isOwnBackupOfSlot } from '../../lambdas/domain/backup-manifest';
import { TargetSpecSchema, type TargetSpec } from '../../lambdas/domain/target-spec';
import { crdSchemaViolations } from '../support/crd-schemas';

const scheduledTime = new Date('2026-11-25T05:00:00Z');
const target = (backup: Record<string, unknown> = {}): TargetSpec =>
  TargetSpecSchema.parse({ name: 'hendrix-prod', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix', backup });

describe('the Backup manifest', () => {
  test('asks CNPG for a volume-snapshot backup of the cluster, labelled and annotated as ours', () => {
    expect(
      buildBackupManifest({
        target: target(),
        name: 'hendrix-20261125050000',
        scheduledTime,
        execution: 'hendrix-prod-backup-20261125050000',
      }),
    ).toEqual({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Backup',
      metadata: {
        name: 'hendrix-20261125050000',
        namespace: 'demo',
        labels: {
          'cnpg.io/cluster': 'hendrix',
          'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler',
          'cnpg-snapshot-scheduler/target': 'hendrix-prod',
        },
        annotations: {
          'cnpg-snapshot-scheduler/scheduled-time': '2026-11-25T05:00:00.000Z',
          'cnpg-snapshot-scheduler/execution': 'hendrix-prod-backup-20261125050000',
        },
      },
      spec: { cluster: { name: 'hendrix' }, method: 'volumeSnapshot' },
    });
  });

  test('carries only the backup options the target sets, and the snapshot deadline as CNPG reads it', () => {
    const manifest = buildBackupManifest({
      target: target({ online: false, target: 'primary', immediateCheckpoint: true, snapshotDeadlineMinutes: 20 }),
      name: 'n',
      scheduledTime,
      execution: 'e',
    });
    expect(manifest.spec).toEqual({
      cluster: { name: 'hendrix' },
      method: 'volumeSnapshot',
      online: false,
      target: 'primary',
      onlineConfiguration: { immediateCheckpoint: true },
    });
    expect(manifest.metadata.annotations?.['cnpg.io/volumeSnapshotDeadline']).toBe('20');
  });

  test('validates against the upstream Backup CRD schema for every combination of options', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            online: fc.boolean(),
            target: fc.constantFrom('primary', 'prefer-standby'),
            immediateCheckpoint: fc.boolean(),
            snapshotDeadlineMinutes: fc.integer({ min: 1, max: 1440 }),
          },
          { requiredKeys: [] },
        ),
        (options) => {
          const manifest = buildBackupManifest({ target: target(options), name: 'hendrix-20261125050000', scheduledTime, execution: 'e' });
          expect(crdSchemaViolations('Backup', manifest)).toEqual([]);
        },
      ),
    );
  });

  test('recognises its own Backup of the same slot, even with the CRD defaults filled in', () => {
    const expected = buildBackupManifest({ target: target({ immediateCheckpoint: false }), name: 'n', scheduledTime, execution: 'first' });
    const stored = structuredClone(expected);
    stored.spec.onlineConfiguration = { ...stored.spec.onlineConfiguration, waitForArchive: true };
    stored.metadata.annotations!['cnpg-snapshot-scheduler/execution'] = 'second';
    expect(isOwnBackupOfSlot(stored, expected)).toBe(true);
  });

  test('does not claim a Backup of that name that somebody else created', () => {
    const expected = buildBackupManifest({ target: target(), name: 'n', scheduledTime, execution: 'e' });
    const foreign = structuredClone(expected);
    delete foreign.metadata.labels!['app.kubernetes.io/managed-by'];
    expect(isOwnBackupOfSlot(foreign, expected)).toBe(false);
    const otherSlot = structuredClone(expected);
    otherSlot.metadata.annotations!['cnpg-snapshot-scheduler/scheduled-time'] = '2026-11-25T06:00:00.000Z';
    expect(isOwnBackupOfSlot(otherSlot, expected)).toBe(false);
    const otherSpec = structuredClone(expected);
    otherSpec.spec.online = false;
    expect(isOwnBackupOfSlot(otherSpec, expected)).toBe(false);
  });
});
