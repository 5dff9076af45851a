import type { VirtualClock } from '../virtual-clock';
import { kubeTime, type ObjectStore, type StoredObject } from './object-store';
import { resourceTypeOf } from './resource-registry';

/**
 * The CNPG operator and the CSI snapshot controller, simulated on the virtual clock after CNPG 1.30's volume-snapshot
 * backup (pkg/reconciler/backup/volumesnapshot) and snapshot recovery (VerifyDataSourceCoherence, the
 * snapshot-recovery Job, cluster readiness). Every transition is stamped with the virtual time it is due at, even
 * when the simulation catches up later, so durations and recovery times are exact.
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
const obj = (value: unknown): Json => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {});
const at = (ms: number) => kubeTime(new Date(ms));
const ms = (time: unknown) => new Date(String(time)).getTime();

interface BackupTimeline {
  /** When this backup's cluster became free for it (creation, or the end of the one before). */
  eligibleAt?: number;
  startedAt?: number;
  finalizingAt?: number;
}

interface RestoreTimeline {
  /** Whether the cluster failed the data-source check at least once (then setup starts when it passes). */
  waited: boolean;
  setupAt?: number;
  readyAt?: number;
}

export class CnpgSimulation {
  private readonly behaviours = new Map<string, Partial<ClusterBehaviour>>();
  private readonly backupTimelines = new Map<string, BackupTimeline>();
  private readonly restoreTimelines = new Map<string, RestoreTimeline>();

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: VirtualClock,
  ) {}

  configure(namespace: string, clusterName: string, behaviour: Partial<ClusterBehaviour>): void {
    this.behaviours.set(`${namespace}/${clusterName}`, { ...this.behaviours.get(`${namespace}/${clusterName}`), ...behaviour });
  }

  behaviourOf(namespace: string, clusterName: string): ClusterBehaviour {
    return { ...DEFAULT_BEHAVIOUR, ...this.behaviours.get(`${namespace}/${clusterName}`) };
  }

  /** When a bootstrapped cluster became healthy, in simulated time. */
  readyAt(namespace: string, clusterName: string): Date | undefined {
    const readyAt = this.restoreTimelines.get(`${namespace}/${clusterName}`)?.readyAt;
    return readyAt === undefined ? undefined : new Date(readyAt);
  }

  /** Applies every transition due up to now. */
  reconcile(): void {
    const now = this.clock.nowMs();
    for (let progressed = true; progressed; ) {
      progressed = false;
      for (const namespace of this.namespaces()) progressed = this.reconcileBackups(namespace, now) || progressed;
    }
    for (const cluster of this.store.list(CLUSTERS)) this.reconcileCluster(cluster, now);
  }

  private namespaces(): string[] {
    return [...new Set(this.store.list(BACKUPS).map((b) => b.metadata.namespace!))];
  }

  // ---- backups ------------------------------------------------------------------------------------------------

  private reconcileBackups(namespace: string, now: number): boolean {
    const backups = this.store
      .list(BACKUPS, namespace)
      .filter((b) => obj(b.spec).method === 'volumeSnapshot')
      .sort((a, b) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name));
    let progressed = false;
    for (const clusterName of new Set(backups.map((b) => String(obj(obj(b.spec).cluster).name)))) {
      const ofCluster = backups.filter((b) => obj(obj(b.spec).cluster).name === clusterName);
      for (const backup of ofCluster) if (!obj(backup.status).phase) progressed = this.setStatus(backup, { phase: 'pending' }) || progressed;
      const running = ofCluster.find((b) => ['started', 'finalizing'].includes(String(obj(b.status).phase)));
      if (running) {
        progressed = this.advanceRunning(running, clusterName, now) || progressed;
        continue;
      }
      const next = ofCluster.find((b) => obj(this.current(b).status).phase === 'pending');
      if (next) progressed = this.startPending(next, clusterName, ofCluster, now) || progressed;
    }
    return progressed;
  }

  private current(object: StoredObject): StoredObject {
    return this.store.get(resourceTypeOf(object.kind === 'Backup' ? 'backups' : 'clusters'), object.metadata.namespace, object.metadata.name) ?? object;
  }

  private timeline(backup: StoredObject): BackupTimeline {
    const key = `${backup.metadata.namespace}/${backup.metadata.name}/${backup.metadata.uid}`;
    let timeline = this.backupTimelines.get(key);
    if (!timeline) {
      timeline = {};
      this.backupTimelines.set(key, timeline);
    }
    return timeline;
  }

  private startPending(backup: StoredObject, clusterName: string, ofCluster: StoredObject[], now: number): boolean {
    const namespace = backup.metadata.namespace!;
    const cluster = this.store.get(CLUSTERS, namespace, clusterName);
    const behaviour = this.behaviourOf(namespace, clusterName);
    if (!cluster || behaviour.stuckPending) return false;
    const timeline = this.timeline(backup);
    const previousEnd = Math.max(
      ms(backup.metadata.creationTimestamp),
      ...ofCluster.map((b) => obj(b.status).stoppedAt ?? obj(b.status).reconciliationTerminatedAt).filter(Boolean).map(ms),
    );
    timeline.eligibleAt ??= previousEnd;
    const clusterSpec = obj(cluster.spec);
    const hibernated = obj(cluster.metadata.annotations)['cnpg.io/hibernation'] === 'on';
    const stanza = obj(clusterSpec.backup).volumeSnapshot;
    if (hibernated || !stanza) {
      const error = hibernated ? 'cannot backup a hibernated cluster' : 'no volumeSnapshot section defined on the target cluster';
      return this.setStatus(backup, { phase: 'failed', error, reconciliationStartedAt: at(timeline.eligibleAt), reconciliationTerminatedAt: at(timeline.eligibleAt) });
    }
    const startAt = timeline.eligibleAt + behaviour.startSeconds * 1000;
    if (now < startAt) return false;
    timeline.startedAt = startAt;
    this.createSnapshots(backup, cluster, startAt);
    const instances = Number(clusterSpec.instances ?? 1);
    const target = obj(backup.spec).target ?? obj(clusterSpec.backup).target ?? 'prefer-standby';
    const podName = target === 'primary' || instances < 2 ? `${clusterName}-1` : `${clusterName}-2`;
    return this.setStatus(backup, {
      phase: 'started',
      method: 'volumeSnapshot',
      startedAt: at(startAt),
      reconciliationStartedAt: at(startAt),
      backupId: backup.metadata.name,
      backupName: backup.metadata.name,
      instanceID: { podName, ContainerID: `containerd://${backup.metadata.uid.slice(0, 12)}` },
      majorVersion: majorVersionOf(clusterSpec),
    });
  }

  private advanceRunning(backup: StoredObject, clusterName: string, now: number): boolean {
    const namespace = backup.metadata.namespace!;
    const behaviour = this.behaviourOf(namespace, clusterName);
    const timeline = this.timeline(backup);
    const status = obj(backup.status);
    timeline.startedAt ??= ms(status.startedAt);
    const snapshots = this.snapshotsOf(backup);
    if (status.phase === 'started') {
      const provisionedAt = timeline.startedAt + behaviour.snapshotSeconds * 1000;
      if (now < provisionedAt) return false;
      if (behaviour.csiError) {
        for (const snapshot of snapshots) this.patchSnapshot(snapshot, { status: { ...obj(snapshot.status), readyToUse: false, error: { message: behaviour.csiError, time: at(provisionedAt) } } });
        return this.setStatus(backup, { phase: 'failed', error: `can't execute snapshot backup: ${behaviour.csiError}`, reconciliationTerminatedAt: at(provisionedAt) });
      }
      timeline.finalizingAt = provisionedAt;
      const cluster = this.store.get(CLUSTERS, namespace, clusterName);
      const size = String(obj(obj(cluster?.spec).storage).size ?? '1Gi');
      const walSize = String(obj(obj(cluster?.spec).walStorage).size ?? size);
      for (const snapshot of snapshots) {
        const role = obj(snapshot.metadata.annotations)['cnpg.io/pvcRole'];
        this.patchSnapshot(snapshot, {
          metadata: { ...snapshot.metadata, annotations: { ...snapshot.metadata.annotations, 'cnpg.io/snapshotStartTime': at(provisionedAt), 'cnpg.io/snapshotEndTime': at(provisionedAt) } },
          status: { boundVolumeSnapshotContentName: `snapcontent-${snapshot.metadata.uid}`, creationTime: at(provisionedAt), readyToUse: false, restoreSize: role === 'PG_WAL' ? walSize : size },
        });
      }
      const online = obj(backup.spec).online ?? obj(obj(obj(cluster?.spec).backup).volumeSnapshot).online ?? true;
      return this.setStatus(backup, {
        phase: 'finalizing',
        online,
        snapshotBackupStatus: {
          elements: snapshots.map((s) => ({
            name: s.metadata.name,
            type: obj(s.metadata.annotations)['cnpg.io/pvcRole'],
            ...(s.metadata.labels?.['cnpg.io/tablespaceName'] && { tablespaceName: s.metadata.labels['cnpg.io/tablespaceName'] }),
          })),
        },
        beginWal: walFile(timeline.startedAt),
        endWal: walFile(timeline.startedAt),
        beginLSN: lsn(timeline.startedAt),
        endLSN: lsn(provisionedAt),
      });
    }
    timeline.finalizingAt ??= timeline.startedAt + behaviour.snapshotSeconds * 1000;
    const completedAt = timeline.finalizingAt + behaviour.finalizingSeconds * 1000;
    if (now < completedAt) return false;
    for (const snapshot of snapshots)
      this.patchSnapshot(snapshot, {
        metadata: { ...snapshot.metadata, annotations: { ...snapshot.metadata.annotations, 'cnpg.io/backupStartTime': at(timeline.startedAt), 'cnpg.io/backupEndTime': at(completedAt) } },
        status: { ...obj(snapshot.status), readyToUse: true },
      });
    return this.setStatus(backup, { phase: 'completed', stoppedAt: at(completedAt), reconciliationTerminatedAt: at(completedAt) });
  }

  private snapshotsOf(backup: StoredObject): StoredObject[] {
    return this.store.list(SNAPSHOTS, backup.metadata.namespace).filter((s) => s.metadata.labels?.['cnpg.io/backupName'] === backup.metadata.name);
  }

  private createSnapshots(backup: StoredObject, cluster: StoredObject, time: number): void {
    const spec = obj(cluster.spec);
    const stanza = obj(obj(spec.backup).volumeSnapshot);
    const clusterName = cluster.metadata.name;
    const major = majorVersionOf(spec);
    const date = new Date(time);
    const owner =
      stanza.snapshotOwnerReference === 'backup' ? backup : stanza.snapshotOwnerReference === 'cluster' ? cluster : undefined;
    const volumes: Array<{ suffix: string; role: string; className: unknown; tablespace?: string }> = [{ suffix: '', role: 'PG_DATA', className: stanza.className }];
    if (spec.walStorage) volumes.push({ suffix: '-wal', role: 'PG_WAL', className: stanza.walClassName ?? stanza.className });
    for (const tablespace of (spec.tablespaces as Array<{ name: string }> | undefined) ?? []) {
      const k8sName = tablespace.name.toLowerCase().replaceAll('_', '-').replace(/^-/, '1');
      volumes.push({ suffix: `-tbs-${k8sName}`, role: 'PG_TABLESPACE', className: obj(stanza.tablespaceClassName)[tablespace.name] ?? stanza.className, tablespace: tablespace.name });
    }
    for (const volume of volumes) {
      const name = `${backup.metadata.name}${volume.suffix}`;
      if (this.store.get(SNAPSHOTS, backup.metadata.namespace, name)) continue;
      this.store.insert(SNAPSHOTS, {
        apiVersion: 'snapshot.storage.k8s.io/v1',
        kind: 'VolumeSnapshot',
        metadata: {
          name,
          namespace: backup.metadata.namespace!,
          creationTimestamp: at(time),
          labels: {
            'cnpg.io/cluster': clusterName,
            'app.kubernetes.io/managed-by': 'cloudnative-pg',
            'app.kubernetes.io/name': 'postgresql',
            'app.kubernetes.io/component': 'database',
            'app.kubernetes.io/instance': clusterName,
            'app.kubernetes.io/version': String(major),
            'cnpg.io/backupName': backup.metadata.name,
            'cnpg.io/majorVersion': String(major),
            'cnpg.io/backupTimeline': '1',
            'cnpg.io/backupDate': kubeTime(date).slice(0, 10).replaceAll('-', ''),
            'cnpg.io/backupMonth': kubeTime(date).slice(0, 7).replace('-', ''),
            'cnpg.io/backupYear': kubeTime(date).slice(0, 4),
            ...(volume.tablespace && { 'cnpg.io/tablespaceName': volume.tablespace }),
            ...(obj(stanza.labels) as Record<string, string>),
          },
          annotations: {
            'cnpg.io/pvcRole': volume.role,
            'cnpg.io/instanceName': String(obj(obj(backup.status).instanceID).podName ?? `${clusterName}-1`),
            'cnpg.io/instanceRole': 'replica',
            'cnpg.io/nodeSerial': '1',
            'cnpg.io/onlineBackup': 'false',
            ...(obj(stanza.annotations) as Record<string, string>),
          },
          ...(owner && { ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true }] }),
        },
        spec: {
          source: { persistentVolumeClaimName: `${clusterName}-1${volume.suffix}` },
          ...(typeof volume.className === 'string' && { volumeSnapshotClassName: volume.className }),
        },
      });
    }
  }

  private patchSnapshot(snapshot: StoredObject, patch: Partial<StoredObject>): void {
    const current = this.store.get(SNAPSHOTS, snapshot.metadata.namespace, snapshot.metadata.name);
    if (current) this.store.update(SNAPSHOTS, { ...current, ...patch } as StoredObject);
  }

  private setStatus(object: StoredObject, status: Json): boolean {
    const type = object.kind === 'Backup' ? BACKUPS : CLUSTERS;
    const current = this.store.get(type, object.metadata.namespace, object.metadata.name);
    if (!current) return false;
    this.store.update(type, { ...current, status: { ...obj(current.status), ...status } });
    return true;
  }

  // ---- clusters -----------------------------------------------------------------------------------------------

  private reconcileCluster(cluster: StoredObject, now: number): void {
    const key = `${cluster.metadata.namespace}/${cluster.metadata.name}`;
    const phase = obj(cluster.status).phase;
    if (phase !== undefined && !this.restoreTimelines.has(key)) return; // seeded with its own status
    const timeline = this.restoreTimelines.get(key) ?? { waited: false };
    this.restoreTimelines.set(key, timeline);
    const recovery = obj(obj(obj(cluster.spec).bootstrap).recovery);
    const snapshots = obj(recovery.volumeSnapshots);
    if (timeline.setupAt === undefined) {
      if (Object.keys(snapshots).length > 0 && !this.coherent(cluster.metadata.namespace!, snapshots)) {
        timeline.waited = true; // CNPG requeues silently: no phase, no event
        return;
      }
      timeline.setupAt = timeline.waited ? now : ms(cluster.metadata.creationTimestamp);
      this.startSetup(cluster, snapshots, timeline.setupAt);
    }
    const behaviour = this.behaviourOf(cluster.metadata.namespace!, cluster.metadata.name);
    const doneAt = timeline.setupAt + behaviour.restoreSeconds * 1000;
    const failAt = timeline.setupAt + (behaviour.restoreSeconds * 1000) / 2;
    this.bindClaims(cluster, timeline.setupAt + (behaviour.restoreSeconds * 1000) / 10, now);
    if (behaviour.restoreFailure === 'never-ready' || timeline.readyAt !== undefined) return;
    if (behaviour.restoreFailure === 'job-failed') {
      if (now >= failAt) this.setJob(cluster, { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', lastTransitionTime: at(failAt) }] });
      return;
    }
    if (behaviour.restoreFailure === 'unrecoverable') {
      if (now >= failAt) this.setStatus(cluster, { phase: 'Cluster is unrecoverable and needs manual intervention', phaseReason: 'snapshot recovery failed' });
      return;
    }
    if (now < doneAt) return;
    timeline.readyAt = doneAt;
    this.setJob(cluster, { succeeded: 1, completionTime: at(doneAt), conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: at(doneAt) }] });
    const instances = Number(obj(cluster.spec).instances ?? 1);
    this.setStatus(cluster, {
      phase: 'Cluster in healthy state',
      phaseReason: '',
      instances,
      readyInstances: instances,
      currentPrimary: `${cluster.metadata.name}-1`,
      targetPrimary: `${cluster.metadata.name}-1`,
      conditions: [
        { type: 'Ready', status: 'True', reason: 'ClusterIsReady', message: 'Cluster is Ready', lastTransitionTime: at(doneAt) },
        { type: 'Initialized', status: 'True', reason: 'BootstrapCompleted', lastTransitionTime: at(doneAt) },
      ],
    });
  }

  private coherent(namespace: string, snapshots: Json): boolean {
    const storage = this.store.get(SNAPSHOTS, namespace, String(obj(snapshots.storage).name));
    if (!storage || obj(storage.metadata.annotations)['cnpg.io/pvcRole'] !== 'PG_DATA') return false;
    if (snapshots.walStorage === undefined) return true;
    const wal = this.store.get(SNAPSHOTS, namespace, String(obj(snapshots.walStorage).name));
    if (!wal || obj(wal.metadata.annotations)['cnpg.io/pvcRole'] !== 'PG_WAL') return false;
    return wal.metadata.labels?.['cnpg.io/backupName'] === storage.metadata.labels?.['cnpg.io/backupName'];
  }

  private startSetup(cluster: StoredObject, snapshots: Json, time: number): void {
    const namespace = cluster.metadata.namespace!;
    const name = cluster.metadata.name;
    const owner = [{ apiVersion: cluster.apiVersion, kind: cluster.kind, name, uid: cluster.metadata.uid, controller: true }];
    const claims: Array<[string, Json, unknown]> = [[`${name}-1`, obj(obj(cluster.spec).storage), snapshots.storage]];
    if (obj(cluster.spec).walStorage) claims.push([`${name}-1-wal`, obj(obj(cluster.spec).walStorage), snapshots.walStorage]);
    for (const [claimName, storage, source] of claims) {
      if (this.store.get(PVCS, namespace, claimName)) continue;
      this.store.insert(PVCS, {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: claimName, namespace, creationTimestamp: at(time), labels: { 'cnpg.io/cluster': name }, ownerReferences: owner },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: String(storage.size ?? '1Gi') } },
          ...(source !== undefined && { dataSource: source }),
        },
        status: { phase: 'Pending' },
      });
    }
    if (!this.store.get(JOBS, namespace, `${name}-1-snapshot-recovery`) && Object.keys(snapshots).length > 0)
      this.store.insert(JOBS, {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: `${name}-1-snapshot-recovery`,
          namespace,
          creationTimestamp: at(time),
          labels: { 'cnpg.io/cluster': name, 'cnpg.io/jobRole': 'snapshot-recovery', 'cnpg.io/instanceName': `${name}-1` },
          ownerReferences: owner,
        },
        spec: { backoffLimit: 6 },
        status: { active: 1, startTime: at(time) },
      });
    this.setStatus(cluster, { phase: 'Setting up primary', phaseReason: `Creating primary instance ${name}-1`, instances: 1, readyInstances: 0 });
  }

  private bindClaims(cluster: StoredObject, boundAt: number, now: number): void {
    if (now < boundAt) return;
    for (const claim of this.store.list(PVCS, cluster.metadata.namespace).filter((c) => c.metadata.labels?.['cnpg.io/cluster'] === cluster.metadata.name))
      if (obj(claim.status).phase === 'Pending') this.store.update(PVCS, { ...claim, status: { phase: 'Bound' } });
  }

  private setJob(cluster: StoredObject, status: Json): void {
    const job = this.store.get(JOBS, cluster.metadata.namespace, `${cluster.metadata.name}-1-snapshot-recovery`);
    if (job) this.store.update(JOBS, { ...job, status: { ...status, startTime: obj(job.status).startTime } });
  }
}

function majorVersionOf(clusterSpec: Json): number {
  const catalog = obj(clusterSpec.imageCatalogRef);
  if (typeof catalog.major === 'number') return catalog.major;
  const tag = /:(\d+)/.exec(String(clusterSpec.imageName ?? ''));
  return tag ? Number(tag[1]) : 17;
}

function walFile(time: number): string {
  return `00000001${(Math.floor(time / 3_600_000) % 0xffffffff).toString(16).toUpperCase().padStart(8, '0')}000000${(Math.floor(time / 60_000) % 256).toString(16).toUpperCase().padStart(2, '0')}`;
}

function lsn(time: number): string {
  return `${(Math.floor(time / 1e9) % 0xffff).toString(16).toUpperCase()}/${(time % 0xffffffff).toString(16).toUpperCase()}`;
}
