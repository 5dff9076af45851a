import { PatchStrategy, setHeaderOptions, V1ObjectMeta, V1Secret, type V1Namespace } from '@kubernetes/client-node';
import type { VolumeSnapshot, VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import { exampleCluster, exampleVolumeSnapshotClass } from '../../simulator/kube-api-server/fixtures';
import { backupManifest, CNPG, NAMESPACE, SCHEDULER, SNAPSHOTS, startHarness, type Harness } from './api-harness';

/**
 * Deleting a namespace, as the namespace controller carries it out (kubernetes pkg/controller/namespace/deletion/
 * namespaced_resources_deleter.go): everything in it is deleted, finalizers are waited for, and its VolumeSnapshots'
 * contents then follow their deletionPolicy (external-snapshotter pkg/common-controller/snapshot_controller.go):
 * Delete removes the storage snapshot, Retain keeps the content and the storage snapshot.
 */

const HOUR = 3_600_000;

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness();
});
afterEach(() => harness.close());

async function completedBackup(name: string): Promise<void> {
  await harness
    .as(SCHEDULER)
    .custom.createNamespacedCustomObject({ ...CNPG, namespace: NAMESPACE, plural: 'backups', body: backupManifest(name, 'hendrix') });
  harness.clock.advance(HOUR);
}

/** The contents of a backup's snapshots (`<backup>` and `<backup>-wal`). */
const contentsOf = (backup: string) =>
  harness.server
    .objects<VolumeSnapshotContent>('volumesnapshotcontents')
    .filter((c) => c.spec.volumeSnapshotRef.name?.replace(/-wal$/, '') === backup);
const handles = (contents: VolumeSnapshotContent[]) => contents.map((c) => c.status!.snapshotHandle!);
const namespaces = () => harness.server.objects<V1Namespace>('namespaces').map((n) => n.metadata?.name);
const setClassPolicy = (deletionPolicy: 'Delete' | 'Retain') =>
  harness.admin.custom.patchClusterCustomObject(
    { ...SNAPSHOTS, plural: 'volumesnapshotclasses', name: 'csi-aws-vsc', body: { deletionPolicy } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );

describe('deleting a namespace', () => {
  test('deletes everything in it; a Retain content and its storage snapshot survive it, a Delete one does not', async () => {
    harness.server.seed(exampleVolumeSnapshotClass({ name: 'csi-aws-vsc', deletionPolicy: 'Retain' }));
    harness.server.seed(exampleCluster({ namespace: NAMESPACE, name: 'hendrix' }));
    await completedBackup('kept');
    await setClassPolicy('Delete');
    await completedBackup('expiring');
    const kept = contentsOf('kept');
    const expiring = contentsOf('expiring');
    expect([...kept, ...expiring].map((c) => c.spec.deletionPolicy)).toEqual(['Retain', 'Retain', 'Delete', 'Delete']);
    expect(harness.server.cnpg.storageSnapshots()).toEqual([...handles(kept), ...handles(expiring)].sort());
    // A namespace seeded with its content carries what the API server gives every namespace.
    expect(harness.server.objects<V1Namespace>('namespaces').find((n) => n.metadata?.name === NAMESPACE)).toMatchObject({
      metadata: { labels: { 'kubernetes.io/metadata.name': NAMESPACE } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });

    await harness.admin.core.deleteNamespace({ name: NAMESPACE });

    expect(namespaces()).not.toContain(NAMESPACE);
    for (const resource of ['clusters', 'backups', 'volumesnapshots', 'persistentvolumeclaims', 'pods', 'secrets'])
      expect(harness.server.objects(resource, NAMESPACE)).toEqual([]);
    expect(harness.server.objects<VolumeSnapshotContent>('volumesnapshotcontents').map((c) => c.metadata.name)).toEqual(
      kept.map((c) => c.metadata.name),
    );
    expect(harness.server.cnpg.storageSnapshots()).toEqual(handles(kept).sort());
  });

  test('waits for every finalizer in it, refuses new content meanwhile, and goes once the last one is removed', async () => {
    harness.server.seed({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'held', namespace: NAMESPACE, finalizers: ['example.com/hold'] },
    });
    harness.server.seed({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'free', namespace: NAMESPACE } });
    await harness.admin.core.deleteNamespace({ name: NAMESPACE });

    expect(
      harness.server.objects<VolumeSnapshot>('secrets', NAMESPACE).map((s) => [s.metadata.name, s.metadata.deletionTimestamp]),
    ).toEqual([['held', expect.any(String)]]);
    const terminating = await harness.admin.core.readNamespace({ name: NAMESPACE });
    expect(terminating.status?.phase).toBe('Terminating');
    const refused = await harness.admin.core
      .createNamespacedSecret({
        namespace: NAMESPACE,
        body: Object.assign(new V1Secret(), {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: Object.assign(new V1ObjectMeta(), { name: 'late' }),
        }),
      })
      .catch((error: unknown) => error as { code: number; body: string });
    expect(refused).toMatchObject({ code: 403 });
    expect((refused as { body: string }).body).toContain(
      `unable to create new content in namespace ${NAMESPACE} because it is being terminated`,
    );

    await harness.admin.core.patchNamespacedSecret(
      { name: 'held', namespace: NAMESPACE, body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(harness.server.objects('secrets', NAMESPACE)).toEqual([]);
    expect(namespaces()).not.toContain(NAMESPACE);
  });
});
