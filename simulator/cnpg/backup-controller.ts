import type { StoredObject } from '../kube-api-server/object-store';
import { resourceTypeOf } from '../kube-api-server/resource-registry';
import type { ClusterBehaviours } from './cluster-behaviour';
import { at, ms, obj, seconds, str, type SimulatedWrites } from './simulated-writes';
import { lsn, majorVersionOf, snapshotElements, walFile, type SnapshotController } from './snapshot-controller';
import { Annotation, BackupPhase } from './upstream-strings';

const CLUSTERS = resourceTypeOf('clusters');
const BACKUPS = resourceTypeOf('backups');
/** BackupStatus.IsDone (api/v1/backup_funcs.go). */
const DONE: ReadonlySet<unknown> = new Set([BackupPhase.Completed, BackupPhase.Failed]);
/** BackupStatus.IsExecuting (api/v1/backup_funcs.go): finalizing is not executing. */
const EXECUTING: ReadonlySet<unknown> = new Set([BackupPhase.Started, BackupPhase.Running]);
/** What the admission guard records when the validator refuses spec.method (internal/webhook/guard/guard.go, sanitizeValidationError). */
const METHOD_REFUSED = 'the resource failed admission validation on: spec.method (see the operator logs for details)';

/** The volume-snapshot settings a backup ran with, as GetVolumeSnapshotConfiguration computes them. */
export interface VolumeSnapshotConfiguration {
  online?: unknown;
  onlineConfiguration?: unknown;
  [key: string]: unknown;
}

interface BackupTimeline {
  /** Set once the backup was held back by something other than the queue (no cluster, stuckPending). */
  blocked?: boolean;
  /** When the backup's cluster became free for it. */
  eligibleAt?: number;
  startedAt?: number;
  finalizingAt?: number;
  /** What CNPG took the backup with (set when it started). */
  configuration?: VolumeSnapshotConfiguration;
}

/** When a cluster first had a ready pod, as the bootstrap controller knows it. */
export type ClusterAvailability = (cluster: StoredObject) => number | undefined;

/**
 * CNPG's backup controller for `method: volumeSnapshot` (cloudnative-pg internal/controller/backup_controller.go and
 * pkg/reconciler/backup/volumesnapshot/reconciler.go): the admission guard first, then one backup per cluster, the
 * others waiting as pending (api/v1/backup_funcs.go, CanExecuteBackup); a running backup goes started -> finalizing
 * (snapshots provisioned) -> completed (all readyToUse).
 */
export class BackupController {
  private readonly timelines = new Map<string, BackupTimeline>();

  constructor(
    private readonly writes: SimulatedWrites,
    private readonly snapshots: SnapshotController,
    private readonly behaviours: ClusterBehaviours,
    private readonly availableSince: ClusterAvailability,
  ) {}

  /** Applies what is due by `now`; true when anything changed. */
  reconcile(now: number): boolean {
    let progressed = false;
    for (const queue of this.queues()) progressed = this.reconcileQueue(queue, now) || progressed;
    return progressed;
  }

  /** Other methods need an instance manager, which is not simulated: they wait as pending, outside the snapshot queue. */
  holdOtherMethods(): void {
    for (const backup of this.writes.store.list(BACKUPS))
      if (obj(backup.spec).method !== 'volumeSnapshot' && !obj(backup.status).phase)
        this.writes.setStatus(BACKUPS, backup, { phase: BackupPhase.Pending });
  }

  /** The volume-snapshot settings a backup was taken with, once CNPG started it. */
  configurationOf(backup: StoredObject): VolumeSnapshotConfiguration | undefined {
    return this.timelines.get(backup.metadata.uid)?.configuration;
  }

  /**
   * Every Backup per cluster, whatever its method (waitIfOtherBackupsRunning lists them by spec.cluster.name), oldest
   * first: creationTimestamp, then name (BackupList.SortByCreationTimeAndName).
   */
  private queues(): StoredObject[][] {
    const queues = new Map<string, StoredObject[]>();
    for (const backup of this.writes.store.list(BACKUPS)) {
      const key = `${backup.metadata.namespace!}/${String(obj(obj(backup.spec).cluster).name)}`;
      queues.set(key, [...(queues.get(key) ?? []), backup]);
    }
    const order = (a: StoredObject, b: StoredObject) =>
      ms(a.metadata.creationTimestamp) - ms(b.metadata.creationTimestamp) || (a.metadata.name < b.metadata.name ? -1 : 1);
    return [...queues.values()].map((queue) => queue.sort(order));
  }

  private reconcileQueue(queue: StoredObject[], now: number): boolean {
    let progressed = false;
    for (const backup of queue) progressed = this.admit(backup) || progressed;
    const current = () => queue.map((b) => this.writes.store.get(BACKUPS, b.metadata.namespace, b.metadata.name)!);
    const isSnapshot = (b: StoredObject) => obj(b.spec).method === 'volumeSnapshot';
    // A started or finalizing backup goes on whatever the queue holds: only a new or pending one is gated.
    for (const backup of current().filter((b) => isSnapshot(b) && (EXECUTING.has(phaseOf(b)) || phaseOf(b) === BackupPhase.Finalizing)))
      progressed = this.advanceRunning(backup, now) || progressed;
    for (const backup of current().filter((b) => isSnapshot(b) && (phaseOf(b) === '' || phaseOf(b) === BackupPhase.Pending))) {
      const queued = current();
      if (canExecuteBackup(queued, backup.metadata.name)) progressed = this.startPending(backup, queued, now) || progressed;
      if (phaseOf(this.writes.store.get(BACKUPS, backup.metadata.namespace, backup.metadata.name)!) === '')
        progressed = this.writes.setStatus(BACKUPS, backup, { phase: BackupPhase.Pending }) || progressed;
    }
    return progressed;
  }

  /**
   * The admission guard, run on every Backup that is not done (backup_controller.go Reconcile, then
   * guard.EnsureResourceIsAdmitted): a refused one is held as `invalid backup definition`, and one admitted again
   * goes back to no phase, so the start gates run again (Backup.SetAdmissionError in api/v1/backup_funcs.go).
   */
  private admit(backup: StoredObject): boolean {
    const phase = phaseOf(backup);
    if (DONE.has(phase)) return false;
    const clusterName = String(obj(obj(backup.spec).cluster).name);
    const refused =
      obj(backup.spec).method === 'volumeSnapshot' &&
      this.behaviours.of(backup.metadata.namespace!, clusterName).refuseVolumeSnapshotBackups;
    if (refused) {
      this.timeline(backup).blocked = true;
      return (
        phase !== BackupPhase.DefinitionInvalid &&
        this.writes.setStatus(BACKUPS, backup, { phase: BackupPhase.DefinitionInvalid, error: METHOD_REFUSED })
      );
    }
    if (phase !== BackupPhase.DefinitionInvalid) return false;
    // Phase and error cleared; both are omitempty, so they leave the object.
    const status = { ...obj(backup.status) };
    Reflect.deleteProperty(status, 'phase');
    Reflect.deleteProperty(status, 'error');
    return this.writes.update(BACKUPS, backup, { status });
  }

  private timeline(backup: StoredObject): BackupTimeline {
    let timeline = this.timelines.get(backup.metadata.uid);
    if (!timeline) {
      timeline = {};
      this.timelines.set(backup.metadata.uid, timeline);
    }
    return timeline;
  }

  private startPending(backup: StoredObject, queue: StoredObject[], now: number): boolean {
    const namespace = backup.metadata.namespace!;
    const clusterName = String(obj(obj(backup.spec).cluster).name);
    const cluster = this.writes.store.get(CLUSTERS, namespace, clusterName);
    const behaviour = this.behaviours.of(namespace, clusterName);
    const timeline = this.timeline(backup);
    if (!cluster || behaviour.stuckPending) {
      timeline.blocked = true; // CNPG retries a missing cluster every 30 s; a stuck operator does nothing
      return false;
    }
    const availableAt = this.availableSince(cluster);
    const hibernated = obj(cluster.metadata.annotations)[Annotation.Hibernation] === 'on';
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
      return this.writes.setStatus(BACKUPS, backup, {
        phase: BackupPhase.Failed,
        error,
        reconciliationStartedAt: when,
        reconciliationTerminatedAt: when,
      });
    }
    const startAt = timeline.eligibleAt + seconds(behaviour.startSeconds);
    if (now < startAt) return false;
    timeline.startedAt = startAt;
    timeline.configuration = volumeSnapshotConfiguration(backup, obj(obj(spec.backup).volumeSnapshot));
    const podName = targetPod(backup, cluster);
    this.snapshots.create(backup, cluster, podName, startAt);
    return this.writes.setStatus(BACKUPS, backup, {
      phase: BackupPhase.Started,
      method: 'volumeSnapshot',
      startedAt: at(startAt),
      reconciliationStartedAt: at(startAt),
      backupId: backup.metadata.name,
      backupName: backup.metadata.name,
      instanceID: { podName, ContainerID: `containerd://${backup.metadata.uid.replaceAll('-', '')}` },
      majorVersion: majorVersionOf(cluster),
    });
  }

  private advanceRunning(backup: StoredObject, now: number): boolean {
    const namespace = backup.metadata.namespace!;
    const clusterName = String(obj(obj(backup.spec).cluster).name);
    const behaviour = this.behaviours.of(namespace, clusterName);
    const timeline = this.timeline(backup);
    const status = obj(backup.status);
    timeline.startedAt ??= ms(status.startedAt);
    const snapshots = this.snapshots.snapshotsOf(backup);
    if (status.phase === BackupPhase.Started) {
      const provisionedAt = timeline.startedAt + seconds(behaviour.snapshotSeconds);
      if (now < provisionedAt) return false;
      if (behaviour.csiError) {
        this.snapshots.fail(snapshots, behaviour.csiError, provisionedAt);
        return this.writes.setStatus(BACKUPS, backup, {
          phase: BackupPhase.Failed,
          error: `can't execute snapshot backup: ${behaviour.csiError}`,
          reconciliationTerminatedAt: at(provisionedAt),
        });
      }
      timeline.finalizingAt = provisionedAt;
      return this.finalize(backup, snapshots, timeline, provisionedAt);
    }
    timeline.finalizingAt ??= timeline.startedAt + seconds(behaviour.snapshotSeconds);
    const completedAt = timeline.finalizingAt + seconds(behaviour.finalizingSeconds);
    if (now < completedAt) return false;
    this.snapshots.markReady(snapshots, timeline.startedAt, completedAt, str(status.backupLabelFile) || undefined);
    return this.writes.setStatus(BACKUPS, backup, {
      phase: BackupPhase.Completed,
      stoppedAt: at(completedAt),
      reconciliationTerminatedAt: at(completedAt),
    });
  }

  /** Snapshots provisioned: the backup mode ends and the backup records what it took. */
  private finalize(backup: StoredObject, snapshots: StoredObject[], timeline: BackupTimeline, provisionedAt: number): boolean {
    const startedAt = timeline.startedAt!;
    const cluster = this.writes.store.get(CLUSTERS, backup.metadata.namespace, String(obj(obj(backup.spec).cluster).name));
    this.snapshots.provision(snapshots, cluster, provisionedAt);
    // pkg/reconciler/backup/volumesnapshot/online.go, onlineExecutor.finalize: a hot backup keeps the backup_label
    // pg_backup_stop returned (status.backupLabelFile, bytes: base64 in JSON); a cold one has none.
    const hot = timeline.configuration?.online !== false;
    return this.writes.setStatus(BACKUPS, backup, {
      phase: BackupPhase.Finalizing,
      // CNPG 1.30.0 reports the cluster's default here, not spec.online (cloudnative-pg#11275, fixed in 1.30.1).
      online: obj(obj(obj(cluster?.spec).backup).volumeSnapshot).online ?? true,
      snapshotBackupStatus: { elements: snapshotElements(snapshots) },
      beginWal: walFile(startedAt),
      endWal: walFile(startedAt),
      beginLSN: lsn(startedAt),
      endLSN: lsn(provisionedAt),
      ...(hot && { backupLabelFile: Buffer.from(backupLabel(backup.metadata.name, startedAt)).toString('base64') }),
    });
  }
}

/**
 * The backup_label PostgreSQL writes for a base backup (src/backend/access/transam/xlogbackup.c, build_backup_content):
 * where WAL replay must start, and the backup's label.
 */
function backupLabel(name: string, startedAt: number): string {
  return [
    `START WAL LOCATION: ${lsn(startedAt)} (file ${walFile(startedAt)})`,
    `CHECKPOINT LOCATION: ${lsn(startedAt)}`,
    'BACKUP METHOD: streamed',
    'BACKUP FROM: primary',
    `START TIME: ${at(startedAt)}`,
    `LABEL: ${name}`,
    'START TIMELINE: 1',
    '',
  ].join('\n');
}

/** getBackupTargetPod: the first standby for prefer-standby (the default) when there is one, else the primary. */
function targetPod(backup: StoredObject, cluster: StoredObject): string {
  const name = cluster.metadata.name;
  const primary = str(obj(cluster.status).currentPrimary, `${name}-1`);
  const target = obj(backup.spec).target ?? obj(obj(cluster.spec).backup).target ?? 'prefer-standby';
  const instances = Number(obj(cluster.spec).instances ?? 1);
  if (target === 'primary' || instances < 2) return primary;
  return Array.from({ length: instances }, (_, i) => `${name}-${i + 1}`).find((pod) => pod !== primary)!;
}

const phaseOf = (backup: StoredObject): string => str(obj(backup.status).phase);

/**
 * BackupList.CanExecuteBackup (api/v1/backup_funcs.go): the backup being executed (started or running) may go on;
 * with none executing, only the oldest of GetPendingBackupNames may start, and that list holds every Backup that is
 * neither done nor executing (pending, finalizing, invalid definition, no phase yet), of any method.
 */
function canExecuteBackup(queue: readonly StoredObject[], name: string): boolean {
  const executing = queue.find((backup) => EXECUTING.has(phaseOf(backup)));
  if (executing) return executing.metadata.name === name;
  const pending = queue.filter((backup) => !DONE.has(phaseOf(backup)));
  return pending[0]?.metadata.name === name;
}

/**
 * Backup.GetVolumeSnapshotConfiguration (api/v1/backup_funcs.go): the cluster's stanza, with the Backup's `online`
 * and, when the Backup has one, its whole `onlineConfiguration` in place of the cluster's (not merged field by field).
 */
function volumeSnapshotConfiguration(backup: StoredObject, clusterStanza: Record<string, unknown>): VolumeSnapshotConfiguration {
  const spec = obj(backup.spec);
  return {
    ...clusterStanza,
    ...(spec.online !== undefined && { online: spec.online }),
    ...(spec.onlineConfiguration !== undefined && { onlineConfiguration: spec.onlineConfiguration }),
  };
}
