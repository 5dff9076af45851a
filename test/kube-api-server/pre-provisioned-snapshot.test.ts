import type { VolumeSnapshot, VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import { startHarness, type Harness } from './api-harness';
import {
  RESTORED,
  backupThenLoseNamespace,
  createContent,
  createSnapshot,
  importedContent,
  importedSnapshot,
} from './pre-provisioned-snapshot-steps';

/**
 * Importing a storage snapshot into another namespace (pre-provisioned-snapshot-steps.ts). The CSI controller binds
 * the content and the snapshot (pkg/common-controller/snapshot_controller.go) and the sidecar reports the storage
 * snapshot's size (pkg/sidecar-controller). That a Cluster bootstrapped from it starts from the data the storage
 * snapshot holds is pre-provisioned-snapshot-data.test.ts (it runs PostgreSQL, so it is in the end-to-end suite).
 */

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness();
});
afterEach(() => harness.close());

const snapshot = (name: string) =>
  harness.server.objects<VolumeSnapshot>('volumesnapshots', RESTORED).find((s) => s.metadata.name === name);
const content = (name: string) =>
  harness.server.objects<VolumeSnapshotContent>('volumesnapshotcontents').find((c) => c.metadata.name === name);

describe('a pre-provisioned snapshot', () => {
  test('is bound to its content and ready with the storage snapshot size, in a namespace the backup never saw', async () => {
    const { data } = await backupThenLoseNamespace(harness);
    const handle = data.status!.snapshotHandle!;
    await createContent(harness, importedContent('imported-nightly', 'nightly', handle));
    await createSnapshot(harness, importedSnapshot('nightly', 'imported-nightly', 'PG_DATA'));

    const bound = snapshot('nightly')!;
    expect(bound.status).toMatchObject({ boundVolumeSnapshotContentName: 'imported-nightly', readyToUse: true, restoreSize: '50Gi' });
    expect(bound.metadata.finalizers).toEqual(['snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection']);
    expect(content('imported-nightly')).toMatchObject({
      spec: { volumeSnapshotRef: { name: 'nightly', namespace: RESTORED, uid: bound.metadata.uid } },
      status: { snapshotHandle: handle, readyToUse: true, restoreSize: 50 * 2 ** 30 },
    });
  });

  test('waits with an error while its content is missing, and binds once the content is created', async () => {
    const { data } = await backupThenLoseNamespace(harness);
    await createSnapshot(harness, importedSnapshot('nightly', 'imported-nightly', 'PG_DATA'));
    expect(snapshot('nightly')!.status).toMatchObject({ readyToUse: false, error: { message: 'VolumeSnapshotContent is missing' } });
    await createContent(harness, importedContent('imported-nightly', 'nightly', data.status!.snapshotHandle!));
    expect(snapshot('nightly')!.status).toMatchObject({ boundVolumeSnapshotContentName: 'imported-nightly', readyToUse: true });
  });

  test('is not ready when the storage snapshot does not exist at the provider', async () => {
    await backupThenLoseNamespace(harness);
    await createContent(harness, importedContent('imported-gone', 'gone', 'snap-00000000000000000'));
    await createSnapshot(harness, importedSnapshot('gone', 'imported-gone', 'PG_DATA'));
    expect(snapshot('gone')!.status).toMatchObject({
      readyToUse: false,
      error: { message: 'snapshot snap-00000000000000000 does not exist at the provider' },
    });
  });

  test('is not bound to a content that names another snapshot', async () => {
    const { data } = await backupThenLoseNamespace(harness);
    await createContent(harness, importedContent('imported-nightly', 'someone-else', data.status!.snapshotHandle!));
    await createSnapshot(harness, importedSnapshot('nightly', 'imported-nightly', 'PG_DATA'));
    expect(snapshot('nightly')!.status).toMatchObject({
      readyToUse: false,
      error: { message: 'VolumeSnapshotContent imported-nightly is bound to another snapshot' },
    });
    expect(content('imported-nightly')!.spec.volumeSnapshotRef.uid).toBeUndefined();
  });
});
