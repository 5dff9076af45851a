import {
  BackupPhase,
  ClusterPhase,
  CnpgAnnotation,
  CnpgLabel,
  SNAPSHOT_RECOVERY_JOB_ROLE,
  SnapshotRole,
} from '../../../lambdas/domain/cnpg-api';
import type { VirtualClock } from '../virtual-clock';
import { kubeTime, type ObjectStore, type StoredObject } from './object-store';
import { resourceTypeOf, type ResourceType } from './resource-registry';

/**
 * The CNPG operator and the CSI snapshot controller, simulated on the virtual clock after CNPG 1.30's volume-snapshot
 * backup (backup_controller.go, pkg/reconciler/backup/volumesnapshot) and cluster bootstrap (VerifyDataSourceCoherence,
 * the snapshot-recovery Job, readiness). Every transition is stamped with the virtual time it is due at, even when the
 * simulation catches up later in one step, so durations and recovery times are exact.
 */

export interface ClusterBehaviour {
  /** From "may start" to started (pod elected, snapshots requested). */
  startSeconds: number;
  /** From started to snapshots provisioned (phase finalizing). */
  snapshotSeconds: number;
  /** From finalizing to snapshots readyToUse (phase completed). */
  finalizingSeconds: number;
  /** A new or restored cluster's time from bootstrap start to healthy. */
  restoreSeconds: number;
  /** The CSI driver fails every snapshot with this error: the Backup fails, its snapshots stay behind. */
  csiError?: string;
  /** Backups of this cluster never leave pending (operator down, queue blocked). */
  stuckPending?: boolean;
  /** A restore (or new cluster) of this name fails this way. */
  restoreFailure?: 'job-failed' | 'unrecoverable' | 'never-ready';
}

export const DEFAULT_BEHAVIOUR: ClusterBehaviour = { startSeconds: 5, snapshotSeconds: 60, finalizingSeconds: 120, restoreSeconds: 90 };

const CLUSTERS = resourceTypeOf('clusters');
const BACKUPS = resourceTypeOf('backups');
const SNAPSHOTS = resourceTypeOf('volumesnapshots');
const PVCS = resourceTypeOf('persistentvolumeclaims');
const JOBS = resourceTypeOf('jobs');

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const at = (ms: number) => kubeTime(new Date(ms));
const ms = (time: unknown) => new Date(String(time)).getTime();
const seconds = (count: number) => count * 1000;
const clusterKey = (namespace: string, name: string) => `${namespace}/${name}`;
const RUNNING: ReadonlySet<unknown> = new Set([BackupPhase.Started, BackupPhase.Finalizing]);

interface BackupTimeline {
  /** Set once the backup was held back by something other than the queue (no cluster, stuckPending). */
  blocked?: boolean;
  /** When the backup's cluster became free for it. */
  eligibleAt?: number;
  startedAt?: number;
  finalizingAt?: number;
}

interface BootstrapTimeline {
  /** Set once the bootstrap had to wait for its data source (then setup starts when the wait ends). */
  waited?: boolean;
  setupAt?: number;
  readyAt?: number;
}

interface Volume {
  suffix: string;
  role: string;
  className: unknown;
  tablespace?: string;
}

export class CnpgSimulation {
  private readonly behaviours = new Map<string, Partial<ClusterBehaviour>>();
  private readonly backupTimelines = new Map<string, BackupTimeline>();
  private readonly bootstrapTimelines = new Map<string, BootstrapTimeline>();
  private readonly readyTimes = new Map<string, number>();

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: VirtualClock,
  ) {}

  /** Overrides durations or injects failures for one cluster (by namespace and name, also before it exists). */
  configure(namespace: string, clusterName: string, behaviour: Partial<ClusterBehaviour>): void {
    const key = clusterKey(namespace, clusterName);
    this.behaviours.set(key, { ...this.behaviours.get(key), ...behaviour });
    this.reconcile();
  }

  behaviourOf(namespace: string, clusterName: string): ClusterBehaviour {
    return { ...DEFAULT_BEHAVIOUR, ...this.behaviours.get(clusterKey(namespace, clusterName)) };
  }

  /** When a simulated (new or restored) cluster of this name last became healthy, in virtual time. */
  readyAt(namespace: string, clusterName: string): Date | undefined {
    this.reconcile();
    const readyAt = this.readyTimes.get(clusterKey(namespace, clusterName));
    return readyAt === undefined ? undefined : new Date(readyAt);
  }

  /** Applies every transition due up to now; clusters and backups depend on each other, so until nothing moves. */
  reconcile(): void {
    const now = this.clock.nowMs();
    for (let progressed = true; progressed;) {
      progressed = false;
      for (const cluster of this.store.list(CLUSTERS)) progressed = this.reconcileCluster(cluster, now) || progressed;
      for (const queue of this.backupQueues()) progressed = this.reconcileQueue(queue, now) || progressed;
    }
    this.holdOtherMethods();
  }

  /** Other methods need an instance manager, which is not simulated: they wait as pending, outside the snapshot queue. */
  private holdOtherMethods(): void {
    for (const backup of this.store.list(BACKUPS))
      if (obj(backup.spec).method !== 'volumeSnapshot' && !obj(backup.status).phase)
        this.setStatus(BACKUPS, backup, { phase: BackupPhase.Pending });
  }

  // ---- backups ------------------------------------------------------------------------------------------------

  /** Volume-snapshot backups per cluster, oldest first (creationTimestamp, then name), as CNPG queues them. */
  private backupQueues(): StoredObject[][] {
    const queues = new Map<string, StoredObject[]>();
    for (const backup of this.store.list(BACKUPS)) {
      if (obj(backup.spec).method !== 'volumeSnapshot') continue;
      const key = clusterKey(backup.metadata.namespace!, String(obj(obj(backup.spec).cluster).name));
      queues.set(key, [...(queues.get(key) ?? []), backup]);
    }
    const order = (a: StoredObject, b: StoredObject) =>
      ms(a.metadata.creationTimestamp) - ms(b.metadata.creationTimestamp) || (a.metadata.name < b.metadata.name ? -1 : 1);
    return [...queues.values()].map((queue) => queue.sort(order));
  }

  private reconcileQueue(queue: StoredObject[], now: number): boolean {
    let progressed = false;
    for (const backup of queue.filter((b) => !obj(b.status).phase))
      progressed = this.setStatus(BACKUPS, backup, { phase: BackupPhase.Pending }) || progressed;
    const current = queue.map((b) => this.store.get(BACKUPS, b.metadata.namespace, b.metadata.name)!);
    const running = current.find((b) => RUNNING.has(obj(b.status).phase));
    if (running) return this.advanceRunning(running, now) || progressed;
    const next = current.find((b) => obj(b.status).phase === BackupPhase.Pending);
    return (next !== undefined && this.startPending(next, current, now)) || progressed;
  }

  private timeline(backup: StoredObject): BackupTimeline {
    let timeline = this.backupTimelines.get(backup.metadata.uid);
    if (!timeline) {
      timeline = {};
      this.backupTimelines.set(backup.metadata.uid, timeline);
    }
    return timeline;
  }

  private startPending(backup: StoredObject, queue: StoredObject[], now: number): boolean {
    const namespace = backup.metadata.namespace!;
    const clusterName = String(obj(obj(backup.spec).cluster).name);
    const cluster = this.store.get(CLUSTERS, namespace, clusterName);
    const behaviour = this.behaviourOf(namespace, clusterName);
    const timeline = this.timeline(backup);
    if (!cluster || behaviour.stuckPending) {
      timeline.blocked = true; // CNPG retries a missing cluster every 30 s; a stuck operator does nothing
      return false;
    }
    const availableAt = this.availableSince(cluster);
    const hibernated = obj(cluster.metadata.annotations)[CnpgAnnotation.Hibernation] === 'on';
    if (availableAt === undefined && !hibernated) return false; // no ready pod to back up yet
    const previousEnds = queue
      .map((b) => obj(b.status).stoppedAt ?? obj(b.status).reconciliationTerminatedAt)
      .filter((t) => t !== undefined);
    timeline.eligibleAt ??= Math.max(
      ms(backup.metadata.creationTimestamp),
      ...previousEnds.map(ms),
      availableAt ?? ms(cluster.metadata.creationTimestamp),
      timeline.blocked ? Math.floor(now / 1000) * 1000 : Number.NEGATIVE_INFINITY,
    );
    const spec = obj(cluster.spec);
    if (hibernated || !obj(spec.backup).volumeSnapshot) {
      const error = hibernated ? 'cannot backup a hibernated cluster' : 'no volumeSnapshot section defined on the target cluster';
      const when = at(timeline.eligibleAt);
      return this.setStatus(BACKUPS, backup, {
        phase: BackupPhase.Failed,
        error,
        reconciliationStartedAt: when,
        reconciliationTerminatedAt: when,
      });
    }
    const startAt = timeline.eligibleAt + seconds(behaviour.startSeconds);
    if (now < startAt) return false;
    timeline.startedAt = startAt;
    const podName = this.targetPod(backup, cluster);
    this.createSnapshots(backup, cluster, podName, startAt);
    return this.setStatus(BACKUPS, backup, {
      phase: BackupPhase.Started,
      method: 'volumeSnapshot',
      startedAt: at(startAt),
      reconciliationStartedAt: at(startAt),
      backupId: backup.metadata.name,
      backupName: backup.metadata.name,
      instanceID: { podName, ContainerID: `containerd://${backup.metadata.uid.replaceAll('-', '')}` },
      majorVersion: majorVersionOf(spec),
    });
  }

  /** When the cluster first had a ready pod: its readiness if simulated, its creation if seeded healthy. */
  private availableSince(cluster: StoredObject): number | undefined {
    const simulated = this.bootstrapTimelines.get(cluster.metadata.uid);
    if (simulated) return simulated.readyAt;
    return obj(cluster.status).phase === ClusterPhase.Healthy ? ms(cluster.metadata.creationTimestamp) : undefined;
  }

  /** getBackupTargetPod: the first standby for prefer-standby (the default) when there is one, else the primary. */
  private targetPod(backup: StoredObject, cluster: StoredObject): string {
    const name = cluster.metadata.name;
    const primary = String(obj(cluster.status).currentPrimary ?? `${name}-1`);
    const target = obj(backup.spec).target ?? obj(obj(cluster.spec).backup).target ?? 'prefer-standby';
    const instances = Number(obj(cluster.spec).instances ?? 1);
    if (target === 'primary' || instances < 2) return primary;
    return Array.from({ length: instances }, (_, i) => `${name}-${i + 1}`).find((pod) => pod !== primary)!;
  }

  private advanceRunning(backup: StoredObject, now: number): boolean {
    const namespace = backup.metadata.namespace!;
    const clusterName = String(obj(obj(backup.spec).cluster).name);
    const behaviour = this.behaviourOf(namespace, clusterName);
    const timeline = this.timeline(backup);
    const status = obj(backup.status);
    timeline.startedAt ??= ms(status.startedAt);
    const snapshots = this.snapshotsOf(backup);
    if (status.phase === BackupPhase.Started) {
      const provisionedAt = timeline.startedAt + seconds(behaviour.snapshotSeconds);
      if (now < provisionedAt) return false;
      if (behaviour.csiError) return this.failOnCsiError(backup, snapshots, behaviour.csiError, provisionedAt);
      timeline.finalizingAt = provisionedAt;
      return this.finalize(backup, snapshots, timeline.startedAt, provisionedAt);
    }
    timeline.finalizingAt ??= timeline.startedAt + seconds(behaviour.snapshotSeconds);
    const completedAt = timeline.finalizingAt + seconds(behaviour.finalizingSeconds);
    if (now < completedAt) return false;
    for (const snapshot of snapshots)
      this.update(SNAPSHOTS, snapshot, {
        metadata: {
          ...snapshot.metadata,
          annotations: {
            ...snapshot.metadata.annotations,
            [CnpgAnnotation.BackupStartTime]: at(timeline.startedAt),
            [CnpgAnnotation.BackupEndTime]: at(completedAt),
          },
        },
        status: { ...obj(snapshot.status), readyToUse: true },
      });
    return this.setStatus(BACKUPS, backup, {
      phase: BackupPhase.Completed,
      stoppedAt: at(completedAt),
      reconciliationTerminatedAt: at(completedAt),
    });
  }

  private failOnCsiError(backup: StoredObject, snapshots: StoredObject[], message: string, failedAt: number): boolean {
    for (const snapshot of snapshots)
      this.update(SNAPSHOTS, snapshot, { status: { ...obj(snapshot.status), readyToUse: false, error: { message, time: at(failedAt) } } });
    return this.setStatus(BACKUPS, backup, {
      phase: BackupPhase.Failed,
      error: `can't execute snapshot backup: ${message}`,
      reconciliationTerminatedAt: at(failedAt),
    });
  }

  /** Snapshots provisioned: the backup mode ends and the backup records what it took. */
  private finalize(backup: StoredObject, snapshots: StoredObject[], startedAt: number, provisionedAt: number): boolean {
    const cluster = this.store.get(CLUSTERS, backup.metadata.namespace, String(obj(obj(backup.spec).cluster).name));
    const spec = obj(cluster?.spec);
    const dataSize = String(obj(spec.storage).size ?? '1Gi');
    const sizes: Record<string, string> = {
      [SnapshotRole.PgData]: dataSize,
      [SnapshotRole.PgWal]: String(obj(spec.walStorage).size ?? dataSize),
    };
    for (const snapshot of snapshots) {
      const annotations = snapshot.metadata.annotations ?? {};
      const tablespace = snapshot.metadata.labels?.[CnpgLabel.TablespaceName];
      const tablespaceSize = (spec.tablespaces as Array<{ name: string; storage?: { size?: string } }> | undefined)?.find(
        (t) => t.name === tablespace,
      )?.storage?.size;
      this.update(SNAPSHOTS, snapshot, {
        metadata: {
          ...snapshot.metadata,
          annotations: {
            ...annotations,
            [CnpgAnnotation.SnapshotStartTime]: at(provisionedAt),
            [CnpgAnnotation.SnapshotEndTime]: at(provisionedAt),
          },
        },
        status: {
          boundVolumeSnapshotContentName: `snapcontent-${snapshot.metadata.uid}`,
          creationTime: at(provisionedAt),
          readyToUse: false,
          restoreSize: tablespaceSize ?? sizes[annotations[CnpgAnnotation.PvcRole] ?? ''] ?? dataSize,
        },
      });
    }
    return this.setStatus(BACKUPS, backup, {
      phase: BackupPhase.Finalizing,
      // CNPG 1.30.0 reports the cluster's default here, not spec.online (cloudnative-pg#11275, fixed in 1.30.1).
      online: obj(obj(spec.backup).volumeSnapshot).online ?? true,
      snapshotBackupStatus: {
        elements: snapshots.map((s) => ({
          name: s.metadata.name,
          type: s.metadata.annotations?.[CnpgAnnotation.PvcRole],
          ...(s.metadata.labels?.[CnpgLabel.TablespaceName] !== undefined && {
            tablespaceName: s.metadata.labels[CnpgLabel.TablespaceName],
          }),
        })),
      },
      beginWal: walFile(startedAt),
      endWal: walFile(startedAt),
      beginLSN: lsn(startedAt),
      endLSN: lsn(provisionedAt),
    });
  }

  private snapshotsOf(backup: StoredObject): StoredObject[] {
    return this.store
      .list(SNAPSHOTS, backup.metadata.namespace)
      .filter((s) => s.metadata.labels?.[CnpgLabel.BackupName] === backup.metadata.name);
  }

  private createSnapshots(backup: StoredObject, cluster: StoredObject, podName: string, time: number): void {
    const spec = obj(cluster.spec);
    const stanza = obj(obj(spec.backup).volumeSnapshot);
    const clusterName = cluster.metadata.name;
    const major = String(majorVersionOf(spec));
    const day = at(time).slice(0, 10).replaceAll('-', '');
    const primary = String(obj(cluster.status).currentPrimary ?? `${clusterName}-1`);
    const instanceRole = podName === primary ? 'primary' : 'replica';
    const owner = stanza.snapshotOwnerReference === 'backup' ? backup : stanza.snapshotOwnerReference === 'cluster' ? cluster : undefined;
    const volumes: Volume[] = [{ suffix: '', role: SnapshotRole.PgData, className: stanza.className }];
    if (spec.walStorage) volumes.push({ suffix: '-wal', role: SnapshotRole.PgWal, className: stanza.walClassName ?? stanza.className });
    for (const { name } of (spec.tablespaces as Array<{ name: string }> | undefined) ?? [])
      volumes.push({
        suffix: `-tbs-${tablespaceVolumeName(name)}`,
        role: SnapshotRole.PgTablespace,
        className: obj(stanza.tablespaceClassName)[name] ?? stanza.className,
        tablespace: name,
      });
    for (const volume of volumes) {
      const name = `${backup.metadata.name}${volume.suffix}`;
      if (this.store.get(SNAPSHOTS, backup.metadata.namespace, name)) continue; // adopted, as CNPG adopts AlreadyExists
      this.store.insert(SNAPSHOTS, {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        metadata: {
          name,
          namespace: backup.metadata.namespace!,
          creationTimestamp: at(time),
          labels: {
            [CnpgLabel.Cluster]: clusterName,
            'app.kubernetes.io/managed-by': 'cloudnative-pg',
            'app.kubernetes.io/name': 'postgresql',
            'app.kubernetes.io/component': 'database',
            'app.kubernetes.io/instance': clusterName,
            'app.kubernetes.io/version': major,
            [CnpgLabel.BackupName]: backup.metadata.name,
            [CnpgLabel.MajorVersion]: major,
            [CnpgLabel.BackupTimeline]: '1',
            [CnpgLabel.BackupDate]: day,
            [CnpgLabel.BackupMonth]: day.slice(0, 6),
            [CnpgLabel.BackupYear]: day.slice(0, 4),
            ...(volume.tablespace !== undefined && { [CnpgLabel.TablespaceName]: volume.tablespace }),
            ...(obj(stanza.labels) as Record<string, string>),
          },
          annotations: {
            [CnpgAnnotation.PvcRole]: volume.role,
            [CnpgLabel.InstanceName]: podName,
            [CnpgAnnotation.InstanceRole]: instanceRole,
            role: instanceRole,
            'cnpg.io/nodeSerial': podName.slice(podName.lastIndexOf('-') + 1),
            'cnpg.io/pvcStatus': 'ready',
            // Always "false" in CNPG 1.30.0: read before status.online is set (cloudnative-pg#11276).
            'cnpg.io/onlineBackup': 'false',
            'cnpg.io/backupStartWAL': walFile(time),
            'cnpg.io/backupEndWAL': walFile(time),
            [CnpgAnnotation.ClusterManifest]: JSON.stringify({
              apiVersion: cluster.apiVersion,
              kind: cluster.kind,
              metadata: cluster.metadata,
              spec,
            }),
            ...(obj(stanza.annotations) as Record<string, string>),
          },
          ...(owner && {
            ownerReferences: [
              {
                apiVersion: owner.apiVersion,
                kind: owner.kind,
                name: owner.metadata.name,
                uid: owner.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }),
        },
        spec: {
          source: { persistentVolumeClaimName: `${podName}${volume.suffix}` },
          ...(typeof volume.className === 'string' && { volumeSnapshotClassName: volume.className }),
        },
      });
    }
  }

  // ---- clusters -----------------------------------------------------------------------------------------------

  /** A cluster created without status (through the API, or seeded bare) is bootstrapped; a seeded status is kept. */
  private reconcileCluster(cluster: StoredObject, now: number): boolean {
    let timeline = this.bootstrapTimelines.get(cluster.metadata.uid);
    if (!timeline) {
      if (obj(cluster.status).phase !== undefined) return false;
      timeline = {};
      this.bootstrapTimelines.set(cluster.metadata.uid, timeline);
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
    const backup = this.store.get(BACKUPS, namespace, String(backupName));
    if (obj(backup?.status).phase !== BackupPhase.Completed) return 'wait';
    const volumes: Record<string, unknown> = {};
    for (const element of (obj(obj(backup!.status).snapshotBackupStatus).elements as Array<{ name: string; type: string }> | undefined) ??
      []) {
      const ref = { name: element.name, kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' };
      if (element.type === SnapshotRole.PgData) volumes.storage = ref;
      if (element.type === SnapshotRole.PgWal) volumes.walStorage = ref;
    }
    return { volumes, readyAt: ms(obj(backup!.status).stoppedAt) };
  }

  /** pkg/reconciler/persistentvolumeclaim/validation.go: existence, pvcRole, and one backupName for PGDATA and WAL. */
  private coherent(namespace: string, snapshots: Json): boolean {
    const lookup = (ref: unknown, role: string): StoredObject | undefined | 'incoherent' => {
      if (ref === undefined) return undefined;
      const source = obj(ref);
      const type: ResourceType = source.kind === 'PersistentVolumeClaim' ? PVCS : SNAPSHOTS;
      const object = this.store.get(type, namespace, String(source.name));
      if (!object) return 'incoherent'; // "the volume doesn't exist"
      const actual = object.metadata.labels?.[CnpgAnnotation.PvcRole] ?? object.metadata.annotations?.[CnpgAnnotation.PvcRole] ?? '';
      return actual !== '' && actual !== role ? 'incoherent' : object; // an empty role is only a warning
    };
    const data = lookup(snapshots.storage, SnapshotRole.PgData);
    const wal = lookup(snapshots.walStorage, SnapshotRole.PgWal);
    if (data === 'incoherent' || wal === 'incoherent' || data === undefined) return false;
    return wal === undefined || wal.metadata.labels?.[CnpgLabel.BackupName] === data.metadata.labels?.[CnpgLabel.BackupName];
  }

  private startSetup(cluster: StoredObject, sources: Record<string, unknown>, fromSnapshots: boolean, time: number): void {
    const namespace = cluster.metadata.namespace!;
    const name = cluster.metadata.name;
    const spec = obj(cluster.spec);
    const owner = [
      { apiVersion: cluster.apiVersion, kind: cluster.kind, name, uid: cluster.metadata.uid, controller: true, blockOwnerDeletion: true },
    ];
    const claims: Array<[string, string, Json, unknown]> = [[`${name}-1`, SnapshotRole.PgData, obj(spec.storage), sources.storage]];
    if (spec.walStorage) claims.push([`${name}-1-wal`, SnapshotRole.PgWal, obj(spec.walStorage), sources.walStorage]);
    for (const claim of claims) {
      const [claimName, role, storage, source] = claim;
      if (this.store.get(PVCS, namespace, claimName)) continue;
      this.store.insert(PVCS, {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: claimName,
          namespace,
          creationTimestamp: at(time),
          labels: { [CnpgLabel.Cluster]: name, [CnpgLabel.InstanceName]: `${name}-1`, [CnpgAnnotation.PvcRole]: role },
          annotations: { 'cnpg.io/nodeSerial': '1', 'cnpg.io/pvcStatus': 'initializing' },
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
    const jobRole = fromSnapshots ? SNAPSHOT_RECOVERY_JOB_ROLE : 'initdb';
    this.store.insert(JOBS, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: `${name}-1-${jobRole}`,
        namespace,
        creationTimestamp: at(time),
        labels: { [CnpgLabel.Cluster]: name, [CnpgLabel.JobRole]: jobRole, [CnpgLabel.InstanceName]: `${name}-1` },
        ownerReferences: owner,
      },
      spec: { backoffLimit: 6, template: { metadata: { labels: { [CnpgLabel.JobRole]: jobRole } } } },
      status: { active: 1, startTime: at(time) },
    });
    this.setStatus(CLUSTERS, cluster, {
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
    const behaviour = this.behaviourOf(cluster.metadata.namespace!, cluster.metadata.name);
    const setupAt = timeline.setupAt!;
    const boundAt = setupAt + seconds(behaviour.restoreSeconds) / 10;
    const failAt = setupAt + seconds(behaviour.restoreSeconds) / 2;
    const doneAt = setupAt + seconds(behaviour.restoreSeconds);
    let progressed = now >= boundAt && this.bindClaims(cluster);
    if (behaviour.restoreFailure === 'never-ready' || now < failAt) return progressed;
    const job = this.store.get(JOBS, cluster.metadata.namespace, `${cluster.metadata.name}-1-${this.jobRoleOf(cluster)}`);
    if (behaviour.restoreFailure === 'job-failed') {
      if (job && obj(job.status).failed === undefined)
        progressed = this.update(JOBS, job, {
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
        progressed = this.setStatus(CLUSTERS, cluster, {
          phase: ClusterPhase.Unrecoverable,
          phaseReason: 'Primary instance could not be restored',
        });
      return progressed;
    }
    if (now < doneAt) return progressed;
    timeline.readyAt = doneAt;
    this.readyTimes.set(clusterKey(cluster.metadata.namespace!, cluster.metadata.name), doneAt);
    if (job)
      this.update(JOBS, job, {
        status: {
          startTime: obj(job.status).startTime,
          succeeded: 1,
          completionTime: at(doneAt),
          conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: at(doneAt) }],
        },
      });
    const instances = Number(obj(cluster.spec).instances ?? 1);
    return this.setStatus(CLUSTERS, cluster, {
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

  private jobRoleOf(cluster: StoredObject): string {
    const recovery = obj(obj(obj(cluster.spec).bootstrap).recovery);
    return recovery.volumeSnapshots !== undefined || recovery.backup !== undefined ? SNAPSHOT_RECOVERY_JOB_ROLE : 'initdb';
  }

  private bindClaims(cluster: StoredObject): boolean {
    let bound = false;
    for (const claim of this.store.list(PVCS, cluster.metadata.namespace))
      if (claim.metadata.labels?.[CnpgLabel.Cluster] === cluster.metadata.name && obj(claim.status).phase === 'Pending')
        bound = this.update(PVCS, claim, { status: { phase: 'Bound', accessModes: ['ReadWriteOnce'] } }) || bound;
    return bound;
  }

  // ---- writes -------------------------------------------------------------------------------------------------

  private update(type: ResourceType, object: StoredObject, changes: Json): boolean {
    const current = this.store.get(type, object.metadata.namespace, object.metadata.name);
    if (!current) return false;
    this.store.update(type, { ...current, ...changes } as StoredObject);
    return true;
  }

  private setStatus(type: ResourceType, object: StoredObject, status: Json): boolean {
    const current = this.store.get(type, object.metadata.namespace, object.metadata.name);
    return current !== undefined && this.update(type, current, { status: { ...obj(current.status), ...status } });
  }
}

/** pkg/specs/volumes.go: lower case, `_` to `-`, a leading `_` becomes `1`. */
function tablespaceVolumeName(tablespace: string): string {
  return tablespace.toLowerCase().replace(/^_/, '1').replaceAll('_', '-');
}

function majorVersionOf(clusterSpec: Json): number {
  const catalog = obj(clusterSpec.imageCatalogRef);
  if (typeof catalog.major === 'number') return catalog.major;
  const tag = /:(\d+)/.exec(String(clusterSpec.imageName ?? ''));
  return tag ? Number(tag[1]) : 17;
}

/** A plausible WAL segment name for a moment (timeline 1), so different backups report different positions. */
function walFile(time: number): string {
  const segment = Math.floor(time / 60_000);
  return `00000001${hex(Math.floor(segment / 256), 8)}${hex(segment % 256, 8)}`;
}

function lsn(time: number): string {
  const segment = Math.floor(time / 60_000);
  return `${Math.floor(segment / 256)
    .toString(16)
    .toUpperCase()}/${(((segment % 256) << 24) >>> 0).toString(16).toUpperCase()}`;
}

const hex = (value: number, width: number) => value.toString(16).toUpperCase().padStart(width, '0');
