import type { CreateResult, DeleteResult, KubeResources, ResourceKind, ResourceTypes } from '../../lambdas/adapters/kube-resources';
import { SnapshotRole } from '../../lambdas/domain/cnpg-api';
import type { Backup, VolumeSnapshot } from '../../lambdas/domain/kube-objects';
import type { RecoveryPointRecord } from '../../lambdas/domain/recovery-point-record';
import { FanOutSettingsSchema, TargetCatalog } from '../../lambdas/domain/target-catalog';
import { TargetSpecSchema } from '../../lambdas/domain/target-spec';
import { createApplyRetention } from '../../lambdas/handlers/apply-retention';
import { MemoryLog } from '../../simulator/memory-log';
import { MemoryRecoveryPointCatalog } from '../../simulator/memory-recovery-point-catalog';
import { RecordingEventPublisher } from '../../simulator/recording-event-publisher';
import { RecordingMetrics } from '../../simulator/recording-metrics';
import { CLUSTER, HOUR, NOW, TARGET, backupObject, snapshotsOfBackup } from '../domain/retention-arbitraries';

/** A namespace whose deletions take effect at once (no finalizers hold anything), as the handler sees it. */
class ImmediateKube implements KubeResources {
  constructor(private readonly objects: { backups: Backup[]; volumesnapshots: VolumeSnapshot[] }) {}

  private of(kind: ResourceKind): Array<{ metadata: { name: string } }> {
    return kind === 'backups' ? this.objects.backups : kind === 'volumesnapshots' ? this.objects.volumesnapshots : [];
  }

  get<K extends ResourceKind>(kind: K, _namespace: string, name: string): Promise<ResourceTypes[K] | undefined> {
    return Promise.resolve(this.of(kind).find((o) => o.metadata.name === name) as ResourceTypes[K] | undefined);
  }

  list<K extends ResourceKind>(kind: K): Promise<ResourceTypes[K][]> {
    return Promise.resolve(structuredClone(this.of(kind)) as ResourceTypes[K][]);
  }

  create<K extends ResourceKind>(): Promise<CreateResult<ResourceTypes[K]>> {
    return Promise.reject(new Error('retention creates nothing'));
  }

  annotate(): Promise<'annotated'> {
    return Promise.reject(new Error('retention annotates nothing'));
  }

  patch<K extends ResourceKind>(kind: K, namespace: string, name: string): Promise<ResourceTypes[K] | undefined> {
    return this.get(kind, namespace, name);
  }

  delete(kind: ResourceKind, _namespace: string, name: string): Promise<DeleteResult> {
    const objects = this.of(kind);
    const at = objects.findIndex((o) => o.metadata.name === name);
    if (at === -1) return Promise.resolve('absent');
    objects.splice(at, 1);
    return Promise.resolve('deleted');
  }
}

function recordOf(backup: Backup, snapshots: readonly VolumeSnapshot[]): RecoveryPointRecord {
  return {
    target: TARGET,
    backup: backup.metadata.name,
    eksCluster: 'prod-eks',
    namespace: 'demo',
    cluster: CLUSTER,
    stoppedAt: backup.status!.stoppedAt!,
    volumes: snapshots.map((snapshot) => ({
      role: SnapshotRole.PgData,
      snapshot: snapshot.metadata.name,
      content: snapshot.status!.boundVolumeSnapshotContentName!,
      snapshotHandle: `snap-${snapshot.metadata.name}`,
      restoreSizeBytes: 1,
      driver: 'ebs.csi.aws.com',
    })),
    clusterManifest: '{}',
  };
}

/** The catalog in memory, noting which reads were asked of it. */
class ReadNotingCatalog extends MemoryRecoveryPointCatalog {
  readonly reads: string[] = [];

  override recordsOf(target: string): Promise<RecoveryPointRecord[]> {
    this.reads.push(`all of ${target}`);
    return super.recordsOf(target);
  }

  override recordOf(target: string, backup: string): Promise<RecoveryPointRecord | undefined> {
    this.reads.push(backup);
    return super.recordOf(target, backup);
  }
}

/**
 * A namespace holding an old backup (3 hours, beyond the 1-hour window) and a kept one, each with its snapshots and its
 * catalog record, and ApplyRetention over it.
 */
async function namespaceWithTwoBackups(recoveryPoints: MemoryRecoveryPointCatalog) {
  const [old, kept] = [3 * HOUR, 0].map((age, i) =>
    backupObject({ name: `${CLUSTER}-${i}`, phase: 'completed', createdAt: NOW.getTime() - age - 10 * 60_000 }),
  ) as [Backup, Backup];
  const snapshotsOf = new Map([old, kept].map((b) => [b, snapshotsOfBackup(b)]));
  const kube = new ImmediateKube({ backups: [old, kept], volumesnapshots: [...snapshotsOf.values()].flat() });
  for (const [backup, snapshots] of snapshotsOf) await recoveryPoints.record(recordOf(backup, snapshots));
  const target = TargetSpecSchema.parse({
    name: TARGET,
    eksCluster: 'prod-eks',
    namespace: 'demo',
    cluster: CLUSTER,
    retention: { keepWithin: '1h', minKeep: 1 },
  });
  const catalog = new TargetCatalog({ targets: [target], fanOut: FanOutSettingsSchema.parse({}), policies: {}, discovery: [] });
  const handler = createApplyRetention({
    catalog: () => catalog,
    kube: () => Promise.resolve(kube),
    events: new RecordingEventPublisher(),
    metrics: new RecordingMetrics(),
    now: () => NOW,
    recoveryPoints,
    log: new MemoryLog(),
  });
  return { old, kept, oldSnapshots: snapshotsOf.get(old)!, handler };
}

describe('ApplyRetention and the recovery-point catalog', () => {
  test('removes, in the same run, the record of a backup whose snapshots the run has deleted; the kept one stays', async () => {
    const recoveryPoints = new MemoryRecoveryPointCatalog();
    const { old, kept, oldSnapshots, handler } = await namespaceWithTwoBackups(recoveryPoints);

    const { summary } = await handler({ input: { target: TARGET }, trigger: 'manual' });

    expect(summary.deletedBackups).toEqual([old.metadata.name]);
    expect(summary.deletedSnapshots.sort()).toEqual(oldSnapshots.map((s) => s.metadata.name).sort());
    expect((await recoveryPoints.recordsOf(TARGET)).map((r) => [r.backup, r.expiredAt])).toEqual([[kept.metadata.name, undefined]]);
  });

  test('a run after a backup reads only the records of what it deletes; the daily sweep reads every record and removes what is left', async () => {
    const recoveryPoints = new ReadNotingCatalog();
    const { old, kept, handler } = await namespaceWithTwoBackups(recoveryPoints);
    // Expired by an earlier run whose snapshots were still being deleted; they have gone since, and nothing names it.
    const gone = backupObject({ name: `${CLUSTER}-gone`, phase: 'completed', createdAt: NOW.getTime() - 5 * HOUR });
    await recoveryPoints.record({ ...recordOf(gone, snapshotsOfBackup(gone)), expiredAt: new Date(NOW.getTime() - HOUR).toISOString() });
    const catalogNow = async () => (await recoveryPoints.recordsOf(TARGET)).map((r) => r.backup).sort();
    recoveryPoints.reads.length = 0;

    const { summary } = await handler({ input: { target: TARGET }, trigger: 'backup' });

    expect(summary.deletedBackups).toEqual([old.metadata.name]);
    expect(recoveryPoints.reads).toEqual([old.metadata.name]);
    expect(await catalogNow()).toEqual([kept.metadata.name, gone.metadata.name].sort());

    recoveryPoints.reads.length = 0;
    await handler({ input: { target: TARGET }, trigger: 'schedule' });

    expect(recoveryPoints.reads).toEqual([`all of ${TARGET}`]);
    expect(await catalogNow()).toEqual([kept.metadata.name]);
  });
});
