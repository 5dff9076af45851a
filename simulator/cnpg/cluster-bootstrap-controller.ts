import type { StoredObject } from '../kube-api-server/object-store';
import { resourceTypeOf, type ResourceType } from '../kube-api-server/resource-registry';
import type { ClusterBehaviours } from './cluster-behaviour';
import { at, ms, obj, seconds, type Json, type SimulatedWrites } from './simulated-writes';
import { Annotation, BackupPhase, ClusterPhase, JobRole, Label, PvcRole, SNAPSHOT_API_GROUP } from './upstream-strings';

const CLUSTERS = resourceTypeOf('clusters');
const BACKUPS = resourceTypeOf('backups');
const SNAPSHOTS = resourceTypeOf('volumesnapshots');
const PVCS = resourceTypeOf('persistentvolumeclaims');
const JOBS = resourceTypeOf('jobs');

interface BootstrapTimeline {
  /** Set once the bootstrap had to wait for its data source (then setup starts when the wait ends). */
  waited?: boolean;
  setupAt?: number;
  readyAt?: number;
}

/**
 * CNPG's bootstrap of a new Cluster (cloudnative-pg internal/controller/cluster_create.go): the data source is
 * checked (pkg/reconciler/persistentvolumeclaim/validation.go, VerifyDataSourceCoherence), the first instance's PVCs
 * are created from it, and a Job (`<cluster>-1-snapshot-recovery` or `-initdb`, pkg/specs/jobs.go) prepares the
 * primary; the cluster turns healthy when it is done.
 */
export class ClusterBootstrapController {
  private readonly timelines = new Map<string, BootstrapTimeline>();
  private readonly readyTimes = new Map<string, number>();

  constructor(
    private readonly writes: SimulatedWrites,
    private readonly behaviours: ClusterBehaviours,
  ) {}

  /** When a simulated (new or restored) cluster of this name last became healthy. */
  readyAt(namespace: string, clusterName: string): number | undefined {
    return this.readyTimes.get(`${namespace}/${clusterName}`);
  }

  /** When the cluster first had a ready pod: its readiness if simulated, its creation if seeded healthy. */
  availableSince(cluster: StoredObject): number | undefined {
    const simulated = this.timelines.get(cluster.metadata.uid);
    if (simulated) return simulated.readyAt;
    return obj(cluster.status).phase === ClusterPhase.Healthy ? ms(cluster.metadata.creationTimestamp) : undefined;
  }

  /** Applies what is due by `now`; true when anything changed. */
  reconcile(now: number): boolean {
    let progressed = false;
    for (const cluster of this.writes.store.list(CLUSTERS)) progressed = this.reconcileCluster(cluster, now) || progressed;
    return progressed;
  }

  /** A cluster created without status (through the API, or seeded bare) is bootstrapped; a seeded status is kept. */
  private reconcileCluster(cluster: StoredObject, now: number): boolean {
    let timeline = this.timelines.get(cluster.metadata.uid);
    if (!timeline) {
      if (obj(cluster.status).phase !== undefined) return false;
      timeline = {};
      this.timelines.set(cluster.metadata.uid, timeline);
    }
    if (timeline.readyAt !== undefined) return false;
    let progressed = false;
    if (timeline.setupAt === undefined) {
      const source = this.dataSource(cluster);
      if (source === 'wait') {
        timeline.waited = true; // CNPG requeues silently: no phase, no event
        return false;
      }
      timeline.setupAt = Math.max(ms(cluster.metadata.creationTimestamp), source.readyAt ?? Number.NEGATIVE_INFINITY);
      if (timeline.waited && source.readyAt === undefined) timeline.setupAt = Math.max(timeline.setupAt, Math.floor(now / 1000) * 1000);
      this.startSetup(cluster, source.volumes, source.volumes.storage !== undefined, timeline.setupAt);
      progressed = true;
    }
    return this.advanceSetup(cluster, timeline, now) || progressed;
  }

  /**
   * The PVC data sources of a bootstrap, or 'wait' while CNPG would requeue: snapshots that do not pass
   * VerifyDataSourceCoherence, or a recovery Backup that is not completed yet (then `readyAt` is its end).
   */
  private dataSource(cluster: StoredObject): 'wait' | { volumes: Record<string, unknown>; readyAt?: number } {
    const namespace = cluster.metadata.namespace!;
    const recovery = obj(obj(obj(cluster.spec).bootstrap).recovery);
    const snapshots = obj(recovery.volumeSnapshots);
    if (Object.keys(snapshots).length > 0) return this.coherent(namespace, snapshots) ? { volumes: snapshots } : 'wait';
    const backupName = obj(recovery.backup).name;
    if (backupName === undefined) return { volumes: {} };
    const backup = this.writes.store.get(BACKUPS, namespace, String(backupName));
    if (obj(backup?.status).phase !== BackupPhase.Completed) return 'wait';
    const volumes: Record<string, unknown> = {};
    for (const element of (obj(obj(backup!.status).snapshotBackupStatus).elements as Array<{ name: string; type: string }> | undefined) ??
      []) {
      const ref = { name: element.name, kind: 'VolumeSnapshot', apiGroup: SNAPSHOT_API_GROUP };
      if (element.type === PvcRole.PgData) volumes.storage = ref;
      if (element.type === PvcRole.PgWal) volumes.walStorage = ref;
    }
    return { volumes, readyAt: ms(obj(backup!.status).stoppedAt) };
  }

  /** pkg/reconciler/persistentvolumeclaim/validation.go: existence, pvcRole, and one backupName for PGDATA and WAL. */
  private coherent(namespace: string, snapshots: Json): boolean {
    const lookup = (ref: unknown, role: string): StoredObject | undefined | 'incoherent' => {
      if (ref === undefined) return undefined;
      const source = obj(ref);
      const type: ResourceType = source.kind === 'PersistentVolumeClaim' ? PVCS : SNAPSHOTS;
      const object = this.writes.store.get(type, namespace, String(source.name));
      if (!object) return 'incoherent'; // "the volume doesn't exist"
      const actual = object.metadata.labels?.[Label.PvcRole] ?? object.metadata.annotations?.[Label.PvcRole] ?? '';
      return actual !== '' && actual !== role ? 'incoherent' : object; // an empty role is only a warning
    };
    const data = lookup(snapshots.storage, PvcRole.PgData);
    const wal = lookup(snapshots.walStorage, PvcRole.PgWal);
    if (data === 'incoherent' || wal === 'incoherent' || data === undefined) return false;
    return wal === undefined || wal.metadata.labels?.[Label.BackupName] === data.metadata.labels?.[Label.BackupName];
  }

  private startSetup(cluster: StoredObject, sources: Record<string, unknown>, fromSnapshots: boolean, time: number): void {
    const namespace = cluster.metadata.namespace!;
    const name = cluster.metadata.name;
    const spec = obj(cluster.spec);
    const owner = [
      { apiVersion: cluster.apiVersion, kind: cluster.kind, name, uid: cluster.metadata.uid, controller: true, blockOwnerDeletion: true },
    ];
    const claims: Array<[string, string, Json, unknown]> = [[`${name}-1`, PvcRole.PgData, obj(spec.storage), sources.storage]];
    if (spec.walStorage) claims.push([`${name}-1-wal`, PvcRole.PgWal, obj(spec.walStorage), sources.walStorage]);
    for (const claim of claims) {
      const [claimName, role, storage, source] = claim;
      if (this.writes.store.get(PVCS, namespace, claimName)) continue;
      this.writes.store.insert(PVCS, {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: claimName,
          namespace,
          creationTimestamp: at(time),
          labels: { [Label.Cluster]: name, [Label.InstanceName]: `${name}-1`, [Label.PvcRole]: role },
          annotations: { [Annotation.NodeSerial]: '1', [Annotation.PvcStatus]: 'initializing' },
          ownerReferences: owner,
        },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: String(storage.size ?? '1Gi') } },
          ...(typeof storage.storageClass === 'string' && { storageClassName: storage.storageClass }),
          ...(source !== undefined && { dataSource: source }),
        },
        status: { phase: 'Pending' },
      });
    }
    const jobRole = fromSnapshots ? JobRole.SnapshotRecovery : JobRole.InitDb;
    this.writes.store.insert(JOBS, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: `${name}-1-${jobRole}`,
        namespace,
        creationTimestamp: at(time),
        labels: { [Label.Cluster]: name, [Label.JobRole]: jobRole, [Label.InstanceName]: `${name}-1` },
        ownerReferences: owner,
      },
      spec: { backoffLimit: 6, template: { metadata: { labels: { [Label.JobRole]: jobRole } } } },
      status: { active: 1, startTime: at(time) },
    });
    this.writes.setStatus(CLUSTERS, cluster, {
      phase: ClusterPhase.SettingUpPrimary,
      phaseReason: `Creating primary instance ${name}-1`,
      instances: 1,
      readyInstances: 0,
      targetPrimary: `${name}-1`,
      conditions: [
        { type: 'Ready', status: 'False', reason: 'ClusterIsNotReady', message: 'Cluster Is Not Ready', lastTransitionTime: at(time) },
        { type: 'Initialized', status: 'False', reason: 'BootstrapPending', message: 'Bootstrap pending', lastTransitionTime: at(time) },
      ],
    });
  }

  private advanceSetup(cluster: StoredObject, timeline: BootstrapTimeline, now: number): boolean {
    const behaviour = this.behaviours.of(cluster.metadata.namespace!, cluster.metadata.name);
    const setupAt = timeline.setupAt!;
    const boundAt = setupAt + seconds(behaviour.restoreSeconds) / 10;
    const failAt = setupAt + seconds(behaviour.restoreSeconds) / 2;
    const doneAt = setupAt + seconds(behaviour.restoreSeconds);
    let progressed = now >= boundAt && this.bindClaims(cluster);
    if (behaviour.restoreFailure === 'never-ready' || now < failAt) return progressed;
    const job = this.writes.store.get(JOBS, cluster.metadata.namespace, `${cluster.metadata.name}-1-${jobRoleOf(cluster)}`);
    if (behaviour.restoreFailure === 'job-failed') {
      if (job && obj(job.status).failed === undefined)
        progressed = this.writes.update(JOBS, job, {
          status: {
            startTime: obj(job.status).startTime,
            failed: 1,
            conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', lastTransitionTime: at(failAt) }],
          },
        });
      return progressed;
    }
    if (behaviour.restoreFailure === 'unrecoverable') {
      if (obj(cluster.status).phase !== ClusterPhase.Unrecoverable)
        progressed = this.writes.setStatus(CLUSTERS, cluster, {
          phase: ClusterPhase.Unrecoverable,
          phaseReason: 'Primary instance could not be restored',
        });
      return progressed;
    }
    if (now < doneAt) return progressed;
    timeline.readyAt = doneAt;
    this.readyTimes.set(`${cluster.metadata.namespace!}/${cluster.metadata.name}`, doneAt);
    if (job)
      this.writes.update(JOBS, job, {
        status: {
          startTime: obj(job.status).startTime,
          succeeded: 1,
          completionTime: at(doneAt),
          conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: at(doneAt) }],
        },
      });
    const instances = Number(obj(cluster.spec).instances ?? 1);
    return this.writes.setStatus(CLUSTERS, cluster, {
      phase: ClusterPhase.Healthy,
      phaseReason: '',
      instances,
      readyInstances: instances,
      currentPrimary: `${cluster.metadata.name}-1`,
      targetPrimary: `${cluster.metadata.name}-1`,
      conditions: [
        { type: 'Ready', status: 'True', reason: 'ClusterIsReady', message: 'Cluster is Ready', lastTransitionTime: at(doneAt) },
        {
          type: 'Initialized',
          status: 'True',
          reason: 'BootstrapCompleted',
          message: 'Cluster is initialized',
          lastTransitionTime: at(doneAt),
        },
      ],
    });
  }

  private bindClaims(cluster: StoredObject): boolean {
    let bound = false;
    for (const claim of this.writes.store.list(PVCS, cluster.metadata.namespace))
      if (claim.metadata.labels?.[Label.Cluster] === cluster.metadata.name && obj(claim.status).phase === 'Pending')
        bound = this.writes.update(PVCS, claim, { status: { phase: 'Bound', accessModes: ['ReadWriteOnce'] } }) || bound;
    return bound;
  }
}

function jobRoleOf(cluster: StoredObject): string {
  const recovery = obj(obj(obj(cluster.spec).bootstrap).recovery);
  return recovery.volumeSnapshots !== undefined || recovery.backup !== undefined ? JobRole.SnapshotRecovery : JobRole.InitDb;
}
