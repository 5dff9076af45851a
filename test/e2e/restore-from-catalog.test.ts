import type { Cluster, Job, VolumeSnapshot, VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import { HENDRIX, LOCAL_EKS_CLUSTER, LocalScheduler } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';
import { TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';

/**
 * Restores that survive losing the namespace: after `kubectl delete namespace`, every Backup and VolumeSnapshot of
 * the target is gone, but the storage snapshots the completed backups kept (Retain) and their records in the
 * recovery-point catalog are not. A restore from the catalog imports the backup's storage snapshots into a namespace
 * of the deployment as pre-provisioned VolumeSnapshotContents and bootstraps the Cluster from them, through the
 * deployed RequestRestore and restore workflow.
 */

const START = Date.parse('2026-11-24T00:00:00Z');
const HOUR = 3_600_000;
/** A second target whose namespace the deployment writes in: the place to restore into once `demo` is gone. */
const JIMI = { name: 'jimi', eksCluster: LOCAL_EKS_CLUSTER, namespace: 'payments', cluster: 'jimi' };

describe('a restore from the recovery-point catalog', () => {
  let local: LocalScheduler;
  let backup: string;

  const orderIds = async (namespace: string, cluster: string) => {
    const [result] = await local.server.cnpg.sql(namespace, cluster, 'select id from orders order by id');
    return result!.rows.map((row) => row.id);
  };

  beforeAll(async () => {
    local = await LocalScheduler.start({ clock: new VirtualClock(new Date(START)), targets: [HENDRIX, JIMI] });
    await local.server.cnpg.sql(
      'demo',
      'hendrix',
      "create table orders (id int primary key, created_at timestamptz not null); insert into orders values (1, '2026-11-23T23:50:00Z'), (2, '2026-11-23T23:55:00Z')",
    );
    const execution = await local.runWorkflow('backup', { target: 'hendrix' });
    expect(execution.status).toBe('SUCCEEDED');
    backup = local.events.ofType('Backup Completed').at(-1)!.detail.backup as string;
    local.clock.advance(HOUR / 2);
    await local.server.cnpg.sql('demo', 'hendrix', "insert into orders values (3, '2026-11-24T00:30:00Z')");
    local.server.remove('namespaces', '', 'demo');
  });
  afterAll(() => local.close());

  test('the namespace is gone with its Backups and snapshots; the storage snapshots and the catalog are not', async () => {
    expect(local.server.objects('backups', 'demo')).toEqual([]);
    expect(local.server.objects('volumesnapshots', 'demo')).toEqual([]);
    const [record] = await local.recoveryPoints.recordsOf('hendrix');
    expect(record!.backup).toBe(backup);
    expect(record!.volumes.map((v) => v.snapshotHandle).sort()).toEqual(local.server.cnpg.storageSnapshots());
  });

  test('a destination the deployment does not write in is refused, naming toNamespace, and nothing is created', async () => {
    const contents = local.server.objects('volumesnapshotcontents').length;
    await expect(local.requestRestore({ target: 'hendrix', toNamespace: 'elsewhere' })).rejects.toThrow(
      /toNamespace: "elsewhere" is no namespace of this deployment on local-eks \(demo, payments\)/,
    );
    await expect(local.requestRestore({ target: 'hendrix', toEksCluster: 'eks-unknown' })).rejects.toThrow(
      /toEksCluster: "eks-unknown" is no EKS cluster of this deployment/,
    );
    expect(local.server.objects('volumesnapshotcontents')).toHaveLength(contents);
    expect(local.server.objects('clusters', 'payments').map((c) => (c as Cluster).metadata.name)).toEqual(['jimi']);
  });

  test('restores into another namespace the rows the backup held, from the imported storage snapshots', async () => {
    const handles = local.server.cnpg.storageSnapshots();
    const result = await local.requestRestore({ target: 'hendrix', toNamespace: 'payments', clusterName: 'hendrix' });
    expect(result).toMatchObject({ backup, clusterName: 'hendrix', namespace: 'payments', specFrom: 'backup' });
    // In the Region the backup was taken in, its own storage snapshots, whatever copies it has elsewhere.
    expect(result.snapshots).toEqual({ region: TEST_REGION, from: 'source' });
    expect(local.execution(result.executionName!)?.status).toBe('SUCCEEDED');
    expect(await orderIds('payments', 'hendrix')).toEqual([1, 2]);

    const imported = local.server
      .objects<VolumeSnapshotContent>('volumesnapshotcontents')
      .filter((c) => c.metadata.labels?.['cnpg-snapshot-scheduler/restore-request'] === result.requestId);
    expect(imported.map((c) => c.spec.source.snapshotHandle).sort()).toEqual(handles);
    expect(imported.every((c) => c.spec.deletionPolicy === 'Retain' && c.spec.volumeSnapshotRef.namespace === 'payments')).toBe(true);
    // Importing deleted nothing: the storage snapshots retention owns are all still there.
    expect(local.server.cnpg.storageSnapshots()).toEqual(handles);
  });

  test("the recovery Job gets the hot backup's backup_label, as from the original snapshot", async () => {
    const [record] = await local.recoveryPoints.recordsOf('hendrix');
    const label = record!.volumes.find((v) => v.role === 'PG_DATA')!.cnpgAnnotations?.['cnpg.io/backupLabelFile'];
    expect(Buffer.from(label!, 'base64').toString()).toContain(`LABEL: ${backup}`);
    const job = local.server.objects<Job>('jobs', 'payments').find((j) => j.metadata.name === 'hendrix-1-snapshot-recovery')!;
    const command = (job.spec as { template: { spec: { containers: Array<{ command: string[] }> } } }).template.spec.containers[0]!.command;
    expect(command).toEqual(['/controller/manager', 'instance', 'restoresnapshot', `--backuplabel=${label}`]);
    const data = local.server
      .objects<VolumeSnapshot>('volumesnapshots', 'payments')
      .find((s) => s.metadata.annotations?.['cnpg.io/pvcRole'] === 'PG_DATA')!;
    expect(data.metadata.labels).toMatchObject({ 'cnpg.io/backupName': backup, 'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler' });
  });

  test('into the recreated namespace, under the source name, once it is back', async () => {
    local.server.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } });
    const result = await local.requestRestore({ target: 'hendrix', fromCatalog: true, clusterName: 'hendrix' });
    expect(result).toMatchObject({ backup, namespace: 'demo', clusterName: 'hendrix' });
    expect(local.execution(result.executionName!)?.status).toBe('SUCCEEDED');
    expect(await orderIds('demo', 'hendrix')).toEqual([1, 2]);
  });
});

describe('a restore from the recovery-point catalog into another EKS cluster', () => {
  /** The DR EKS cluster: a target there binds the deployment's RBAC in its namespace. */
  const STANDBY = { name: 'hendrix-standby', eksCluster: 'eks-dr', namespace: 'demo', cluster: 'hendrix-standby' };

  test('brings the data back after the source EKS cluster is lost, from the EBS snapshots both reach', async () => {
    const local = await LocalScheduler.start({
      clock: new VirtualClock(new Date(START)),
      eksClusters: [LOCAL_EKS_CLUSTER, 'eks-dr'],
      targets: [HENDRIX, STANDBY],
    });
    try {
      const source = local.servers.get(LOCAL_EKS_CLUSTER)!;
      const dr = local.servers.get('eks-dr')!;
      await source.cnpg.sql(
        'demo',
        'hendrix',
        "create table orders (id int primary key, created_at timestamptz not null); insert into orders values (7, '2026-11-23T23:58:00Z')",
      );
      expect((await local.runWorkflow('backup', { target: 'hendrix' })).status).toBe('SUCCEEDED');
      // The source EKS cluster is gone: its namespace with its Backups and snapshots, and its API answers nothing.
      source.remove('namespaces', '', 'demo');
      expect(source.objects('volumesnapshots')).toEqual([]);
      source.faults.add({ response: { reset: true } });

      const result = await local.requestRestore({ target: 'hendrix', toEksCluster: 'eks-dr', toNamespace: 'demo', clusterName: 'hendrix' });
      expect(local.execution(result.executionName!)?.status).toBe('SUCCEEDED');
      expect(
        dr
          .objects<Cluster>('clusters', 'demo')
          .map((c) => c.metadata.name)
          .sort(),
      ).toEqual(['hendrix', 'hendrix-standby']);
      const [rows] = await dr.cnpg.sql('demo', 'hendrix', 'select id from orders');
      expect(rows!.rows).toEqual([{ id: 7 }]);
      expect(local.events.ofType('Restore Completed').at(-1)!.detail).toMatchObject({ eksCluster: 'eks-dr', namespace: 'demo' });
      // Nothing on the source could hold retention off, and the request said so instead of failing.
      expect(local.log.entries.some((e) => e.message.startsWith('the source Backup could not be marked as chosen'))).toBe(true);
    } finally {
      await local.close();
    }
  });
});
