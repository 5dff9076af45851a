import type { Cluster } from '../../lambdas/domain/kube-objects';
import { exampleCluster } from '../../simulator/kube-api-server/fixtures';
import { CNPG, NAMESPACE, startHarness, type Harness } from './api-harness';
import {
  RESTORED,
  backupThenLoseNamespace,
  createContent,
  createSnapshot,
  importedContent,
  importedSnapshot,
} from './pre-provisioned-snapshot-steps';

/**
 * A Cluster bootstrapped from imported snapshots starts from the data their storage snapshots hold, also after the
 * source namespace is gone (Kubernetes docs, "Volume Snapshot Restore"). The data is real PostgreSQL (PGlite), which
 * takes seconds to start: this file is in the end-to-end suite.
 */

const HOUR = 3_600_000;

let harness: Harness;
beforeEach(async () => {
  harness = await startHarness();
});
afterEach(() => harness.close());

describe('a pre-provisioned snapshot', () => {
  test('restores the data its storage snapshot holds into a new Cluster after the source namespace is gone', async () => {
    const { data, wal } = await backupThenLoseNamespace(harness, () =>
      harness.server.cnpg.sql(NAMESPACE, 'hendrix', 'create table orders (id int primary key); insert into orders values (1), (2)'),
    );
    await createContent(harness, importedContent('imported-nightly', 'nightly', data.status!.snapshotHandle!));
    await createContent(harness, importedContent('imported-nightly-wal', 'nightly-wal', wal.status!.snapshotHandle!));
    await createSnapshot(harness, importedSnapshot('nightly', 'imported-nightly', 'PG_DATA'));
    await createSnapshot(harness, importedSnapshot('nightly-wal', 'imported-nightly-wal', 'PG_WAL'));
    const { spec, apiVersion, kind } = exampleCluster({ namespace: RESTORED, name: 'hendrix', instances: 1 });
    const ref = (name: string) => ({ name, kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' });
    const manifest: Cluster = {
      apiVersion,
      kind,
      metadata: { name: 'hendrix', namespace: RESTORED },
      spec: { ...spec, bootstrap: { recovery: { volumeSnapshots: { storage: ref('nightly'), walStorage: ref('nightly-wal') } } } },
    };
    await harness.admin.custom.createNamespacedCustomObject({ ...CNPG, namespace: RESTORED, plural: 'clusters', body: manifest });
    harness.clock.advance(HOUR);
    await harness.server.cnpg.settled();
    const [result] = await harness.server.cnpg.sql(RESTORED, 'hendrix', 'select id from orders order by id');
    expect(result!.rows.map((row) => row.id)).toEqual([1, 2]);
  });
});
