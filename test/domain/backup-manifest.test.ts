import fc from 'fast-check';
import { buildBackupManifest, isOwnBackupOfSlot } from '../../lambdas/domain/backup-manifest';
import type { Backup, Cluster, OnlineConfiguration } from '../../lambdas/domain/kube-objects';
import { TargetSpecSchema, type BackupOptions, type TargetSpec } from '../../lambdas/domain/target-spec';
import { applyCrdDefaults, crdSchemaViolations } from '../../simulator/crd-schemas';

const scheduledTime = new Date('2026-11-25T05:00:00Z');
const name = 'hendrix-20261125050000';
const target = (backup: Partial<BackupOptions> = {}): TargetSpec =>
  TargetSpecSchema.parse({ name: 'hendrix-prod', eksCluster: 'prod-eks', namespace: 'demo', cluster: 'hendrix', backup });
/** The Cluster as the API server returns it: CRD defaults applied to what its owner wrote. */
const clusterWith = (onlineConfiguration?: OnlineConfiguration): Cluster =>
  applyCrdDefaults('Cluster', {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name: 'hendrix', namespace: 'demo' },
    spec: { instances: 1, storage: { size: '1Gi' }, backup: { volumeSnapshot: { className: 'csi-aws-vsc', onlineConfiguration } } },
  }) as Cluster;
const manifestFor = (options: Partial<BackupOptions> = {}, execution = 'hendrix-prod-backup-20261125050000', cluster = clusterWith()) =>
  buildBackupManifest({ target: target(options), cluster, name, scheduledTime, execution });

/** Every combination of the options that reach the manifest, each one set or not. */
const backupOptions = fc.record(
  {
    online: fc.boolean(),
    target: fc.constantFrom('primary' as const, 'prefer-standby' as const),
    immediateCheckpoint: fc.boolean(),
    snapshotDeadlineMinutes: fc.integer({ min: 1, max: 1440 }),
  },
  { requiredKeys: [] },
);

/** The object as a GET returns it after a create: CRD defaults applied, server metadata and CNPG status added. */
function asStored(manifest: Backup): Backup {
  const stored = applyCrdDefaults('Backup', structuredClone(manifest)) as Backup;
  stored.metadata = {
    ...stored.metadata,
    uid: '3f1c2a9e-5b7d-4e0a-9c61-2d8f4b6a1e07',
    resourceVersion: '48213',
    creationTimestamp: '2026-11-25T05:00:04Z',
  };
  stored.status = { phase: 'pending' };
  return stored;
}

describe('the Backup manifest', () => {
  test('asks CNPG for a volume-snapshot backup of the cluster, labelled and annotated as ours', () => {
    expect(manifestFor()).toEqual({
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

  test('carries every backup option the target sets', () => {
    expect(manifestFor({ online: false, target: 'primary', immediateCheckpoint: true }).spec).toEqual({
      cluster: { name: 'hendrix' },
      method: 'volumeSnapshot',
      online: false,
      target: 'primary',
      onlineConfiguration: { immediateCheckpoint: true, waitForArchive: true },
    });
  });

  test('sets an option the target sets to false, rather than leaving it to the cluster default', () => {
    expect(manifestFor({ immediateCheckpoint: false }).spec.onlineConfiguration).toMatchObject({ immediateCheckpoint: false });
  });

  test("keeps the cluster's waitForArchive: false when the target sets immediateCheckpoint", () => {
    const cluster = clusterWith({ waitForArchive: false });
    expect(manifestFor({ immediateCheckpoint: true }, 'run', cluster).spec.onlineConfiguration).toEqual({
      immediateCheckpoint: true,
      waitForArchive: false,
    });
  });

  test('leaves the whole onlineConfiguration to the cluster when the target sets nothing of it', () => {
    expect(manifestFor({ online: true }, 'run', clusterWith({ waitForArchive: false })).spec.onlineConfiguration).toBeUndefined();
  });

  test("CNPG backs up with the cluster's online settings and only the target's own on top, whatever both set", () => {
    // GetVolumeSnapshotConfiguration (cloudnative-pg api/v1/backup_funcs.go): the Backup's onlineConfiguration, as
    // stored (CRD defaults applied), replaces the cluster's whole one.
    const effective = (backup: Backup, cluster: Cluster) =>
      backup.spec.onlineConfiguration ?? cluster.spec.backup?.volumeSnapshot?.onlineConfiguration;
    fc.assert(
      fc.property(
        fc.record({ immediateCheckpoint: fc.boolean(), waitForArchive: fc.boolean() }, { requiredKeys: [] }),
        fc.option(fc.boolean(), { nil: undefined }),
        (clusterSettings, immediateCheckpoint) => {
          const cluster = clusterWith(clusterSettings);
          const options = immediateCheckpoint === undefined ? {} : { immediateCheckpoint };
          const stored = asStored(manifestFor(options, 'run', cluster));
          expect(effective(stored, cluster)).toEqual({ ...cluster.spec.backup?.volumeSnapshot?.onlineConfiguration, ...options });
        },
      ),
    );
  });

  test('passes the snapshot deadline in the annotation CNPG reads, in minutes', () => {
    expect(manifestFor({ snapshotDeadlineMinutes: 20 }).metadata.annotations).toMatchObject({ 'cnpg.io/volumeSnapshotDeadline': '20' });
  });

  test('validates against the upstream Backup CRD schema for every combination of options', () => {
    fc.assert(fc.property(backupOptions, (options) => expect(crdSchemaViolations('Backup', manifestFor(options))).toEqual([])));
  });
});

describe('whether a Backup that already has the slot name is ours', () => {
  test('it is when this slot created it, as the API server returns it', () => {
    fc.assert(
      fc.property(backupOptions, (options) => expect(isOwnBackupOfSlot(asStored(manifestFor(options)), manifestFor(options))).toBe(true)),
    );
  });

  test('it is when another execution of this slot created it', () => {
    expect(isOwnBackupOfSlot(asStored(manifestFor({}, 'first-run')), manifestFor({}, 'second-run'))).toBe(true);
  });

  test('it is not without our managed-by label', () => {
    const foreign = asStored(manifestFor());
    foreign.metadata.labels = { 'cnpg.io/cluster': 'hendrix' };
    expect(isOwnBackupOfSlot(foreign, manifestFor())).toBe(false);
  });

  test('it is not when it backs up another cluster', () => {
    const other = asStored(manifestFor());
    other.spec.cluster.name = 'hendrix-staging';
    expect(isOwnBackupOfSlot(other, manifestFor())).toBe(false);
  });

  test('it is not when it was made for another slot', () => {
    const otherSlot = asStored(manifestFor());
    otherSlot.metadata.annotations = {
      ...otherSlot.metadata.annotations,
      'cnpg-snapshot-scheduler/scheduled-time': '2026-11-25T04:00:00.000Z',
    };
    expect(isOwnBackupOfSlot(otherSlot, manifestFor())).toBe(false);
  });

  test('it is not when its spec asks for a different backup', () => {
    fc.assert(
      fc.property(backupOptions, backupOptions, (mine, theirs) => {
        const expected = manifestFor(mine);
        const existing = asStored(manifestFor(theirs));
        fc.pre(JSON.stringify(expected.spec) !== JSON.stringify(manifestFor(theirs).spec));
        expect(isOwnBackupOfSlot(existing, expected)).toBe(false);
      }),
    );
  });

  test('it is not when its spec sets a field the scheduler never sets', () => {
    const existing = asStored(manifestFor({ immediateCheckpoint: true }));
    existing.spec.onlineConfiguration = { immediateCheckpoint: true, waitForArchive: false };
    expect(isOwnBackupOfSlot(existing, manifestFor({ immediateCheckpoint: true }))).toBe(false);
  });
});
