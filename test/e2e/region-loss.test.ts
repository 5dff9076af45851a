import type { VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import type { RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';
import { SimulatedStorageRegions } from '../../simulator/aws-api/storage-regions';
import { HENDRIX, LOCAL_EKS_CLUSTER, LocalScheduler } from '../../simulator/local-scheduler';
import { LocalStandby } from '../../simulator/local-standby';
import { VirtualClock } from '../../simulator/virtual-clock';
import { TEST_ACCOUNT, TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';

/**
 * The primary Region is lost: its EKS cluster, its EBS snapshots and the primary stack with them. What is left is the
 * catalog's replica and the copies of the backups in the disaster recovery Region; the standby stack there restores
 * from them, through its deployed RequestRestore and restore workflow, into the DR EKS cluster, whose CSI driver
 * reaches that Region's EBS only.
 */

const START = Date.parse('2026-11-24T00:00:00Z');
const HOUR = 3_600_000;
const DR_REGION = 'eu-central-1';
const DR_EKS = 'dr-eks';
const DR_KEY = `arn:aws:kms:${DR_REGION}:${TEST_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const COPY_MS = 20 * 60_000;

describe('the primary Region is lost: a restore in the DR Region from the copies', () => {
  let local: LocalScheduler;
  let standby: LocalStandby;
  let copied: string;
  let copying: string;
  let copyHandles: string[];

  /** Copies a backup's snapshots to the DR Region through EC2 and records the copy; completed once EC2 says so. */
  async function copyToDr(backup: string, complete: boolean): Promise<string[]> {
    const record = (await local.recoveryPoints.recordsOf('hendrix')).find((r) => r.backup === backup)!;
    const startedAt = local.clock.now().toISOString();
    const volumes = [];
    for (const volume of record.volumes) {
      const snapshotHandle = await local.ec2.storageSnapshots.copy({
        region: DR_REGION,
        sourceRegion: TEST_REGION,
        sourceSnapshotId: volume.snapshotHandle,
        kmsKeyId: DR_KEY,
        description: `copy of ${volume.snapshot}`,
        tags: {},
      });
      volumes.push({ role: volume.role, sourceSnapshotHandle: volume.snapshotHandle, snapshotHandle });
    }
    const expiresAt = new Date(local.clock.nowMs() + 30 * 24 * HOUR).toISOString();
    await local.recoveryPoints.addCopy('hendrix', backup, { region: DR_REGION, kmsKeyId: DR_KEY, startedAt, expiresAt, volumes });
    if (complete) {
      local.clock.advance(COPY_MS);
      const described = await local.ec2.storageSnapshots.describe(
        DR_REGION,
        volumes.map((v) => v.snapshotHandle),
      );
      expect(described.map((s) => s.state)).toEqual(volumes.map(() => 'completed'));
      await local.recoveryPoints.completeCopy('hendrix', backup, DR_REGION, local.clock.now().toISOString());
    }
    return volumes.map((v) => v.snapshotHandle).sort();
  }

  const backupNow = async () => {
    expect((await local.runWorkflow('backup', { target: 'hendrix' })).status).toBe('SUCCEEDED');
    return local.events.ofType('Backup Completed').at(-1)!.detail.backup as string;
  };

  beforeAll(async () => {
    const storage = new SimulatedStorageRegions(TEST_ACCOUNT);
    local = await LocalScheduler.start({
      clock: new VirtualClock(new Date(START)),
      targets: [{ ...HENDRIX, copies: { region: DR_REGION, kmsKeyArn: DR_KEY } }],
      config: { disasterRecovery: { region: DR_REGION, eksClusters: [{ name: DR_EKS, namespaces: ['demo'] }] } },
      storage,
    });
    await local.server.cnpg.sql(
      'demo',
      'hendrix',
      "create table orders (id int primary key, created_at timestamptz not null); insert into orders values (1, '2026-11-23T23:50:00Z'), (2, '2026-11-23T23:55:00Z')",
    );
    copied = await backupNow();
    copyHandles = await copyToDr(copied, true);
    local.clock.advance(HOUR);
    await local.server.cnpg.sql('demo', 'hendrix', "insert into orders values (3, '2026-11-24T01:00:00Z')");
    copying = await backupNow();
    await copyToDr(copying, false);

    // The primary Region is lost: its EKS cluster's API answers no more, its EBS snapshots are gone.
    await local.servers.get(LOCAL_EKS_CLUSTER)!.close();
    storage.lose(TEST_REGION);
    standby = await LocalStandby.start(local);
  });
  afterAll(async () => {
    await standby.close();
    // The primary's EKS cluster is stopped already; this closes the rest (the EC2 stand-in).
    await local.close();
  });

  test("the source's snapshots are gone with the Region; the copies and the catalog's records are not", async () => {
    expect(local.storage.region(TEST_REGION).handles()).toEqual([]);
    const records: RecoveryPointRecord[] = await local.recoveryPoints.recordsOf('hendrix');
    expect(records.map((r) => r.backup)).toEqual([copied, copying]);
    expect(copyHandles.every((handle) => local.storage.region(DR_REGION).has(handle))).toBe(true);
  });

  test('a destination that is no DR EKS cluster or namespace of the config is refused, by field, and nothing is created', async () => {
    const dr = standby.servers.get(DR_EKS)!;
    await expect(standby.requestRestore({ target: 'hendrix' })).rejects.toThrow(
      /toEksCluster: "local-eks" is no EKS cluster of this deployment \(dr-eks\)/,
    );
    await expect(standby.requestRestore({ target: 'hendrix', toEksCluster: DR_EKS, toNamespace: 'payments' })).rejects.toThrow(
      /toNamespace: "payments" is no namespace of this deployment on dr-eks \(demo\)/,
    );
    expect(dr.objects('volumesnapshotcontents')).toEqual([]);
    expect(dr.objects('clusters', 'demo')).toEqual([]);
  });

  test('a backup whose copy is still copying is no recovery point here: refused, naming what the record has', async () => {
    await expect(standby.requestRestore({ target: 'hendrix', backup: copying, toEksCluster: DR_EKS })).rejects.toThrow(
      `backup ${copying} has no completed copy in ${DR_REGION} (source in ${TEST_REGION}; copy in ${DR_REGION} copying since 2026-11-24T01:`,
    );
    expect(standby.servers.get(DR_EKS)!.objects('volumesnapshotcontents')).toEqual([]);
  });

  test("the latest backup with a completed copy comes up in the DR EKS cluster with the source's data, from the copies", async () => {
    const dr = standby.servers.get(DR_EKS)!;
    const result = await standby.requestRestore({ target: 'hendrix', toEksCluster: DR_EKS, clusterName: 'hendrix' });
    expect(result).toMatchObject({
      backup: copied,
      namespace: 'demo',
      clusterName: 'hendrix',
      snapshots: { region: DR_REGION, from: 'copy' },
    });
    expect(standby.execution(result.executionName!)?.status).toBe('SUCCEEDED');
    const imported = dr.objects<VolumeSnapshotContent>('volumesnapshotcontents');
    expect(imported.map((c) => c.spec.source.snapshotHandle).sort()).toEqual(copyHandles);
    expect(imported.every((c) => c.spec.deletionPolicy === 'Retain')).toBe(true);
    const [rows] = await dr.cnpg.sql('demo', 'hendrix', 'select id from orders order by id');
    expect(rows!.rows.map((row) => row.id)).toEqual([1, 2]);
    expect(standby.events.ofType('Restore Completed').at(-1)!.detail).toMatchObject({ eksCluster: DR_EKS, namespace: 'demo' });
  });
});

describe('the primary Region is lost after the copy workflow copied a backup', () => {
  test('the standby restores the Cluster from the copy the deployed copy workflow made', async () => {
    const local = await LocalScheduler.start({
      clock: new VirtualClock(new Date(START)),
      targets: [{ ...HENDRIX, copies: { region: DR_REGION, kmsKeyArn: DR_KEY } }],
      config: { disasterRecovery: { region: DR_REGION, eksClusters: [{ name: DR_EKS, namespaces: ['demo'] }] } },
    });
    let standby: LocalStandby | undefined;
    try {
      await local.server.cnpg.sql(
        'demo',
        'hendrix',
        "create table orders (id int primary key, created_at timestamptz not null); insert into orders values (7, '2026-11-23T23:58:00Z')",
      );
      expect((await local.runWorkflow('backup', { target: 'hendrix' })).status).toBe('SUCCEEDED');
      // Backup Completed asks for the copy; the copy workflow runs, waiting in Step Functions for EC2.
      await local.runStartedExecutions();
      expect(local.events.ofType('Copy Completed')).toHaveLength(1);
      await local.servers.get(LOCAL_EKS_CLUSTER)!.close();
      local.storage.lose(TEST_REGION);
      standby = await LocalStandby.start(local);
      const result = await standby.requestRestore({ target: 'hendrix', toEksCluster: DR_EKS, clusterName: 'hendrix' });
      expect(result.snapshots).toEqual({ region: DR_REGION, from: 'copy' });
      expect(standby.execution(result.executionName!)?.status).toBe('SUCCEEDED');
      const [rows] = await standby.servers.get(DR_EKS)!.cnpg.sql('demo', 'hendrix', 'select id from orders');
      expect(rows!.rows).toEqual([{ id: 7 }]);
    } finally {
      await standby?.close();
      await local.close();
    }
  });
});
