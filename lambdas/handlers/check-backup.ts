import * as z from '../domain/zod-mini';
import { backupOutcomeEvent, backupOutcomeMetrics } from '../domain/backup-events';
import { BackupFollowStateSchema, decideBackupProgress, type BackupFollowState, type BackupProgress } from '../domain/backup-progress';
import { copyToDetail } from '../domain/copy-workflow-input';
import { BackupEventType, type SchedulerEvent } from '../domain/scheduler-event';
import { snapshotMarks } from '../domain/scheduler-metadata';
import type { TargetRef } from '../domain/target-catalog';
import { parseInput } from '../domain/validation';
import { TargetReferenceSchema } from '../domain/workflow-input';
import type { KubeResources } from '../adapters/kube-resources';
import type { RecoveryPointCatalog } from '../adapters/recovery-point-catalog';
import type { Backup } from '../domain/kube-objects';
import { recoveryPointRecordOf, type ProtectedSnapshot } from '../domain/recovery-point-record';
import type { TargetSpec } from '../domain/target-spec';
import { InvalidInputError, KubernetesApiError } from '../errors';
import type { WorkflowDependencies } from './workflow-dependencies';

const CheckBackupEventSchema = z.strictObject({
  target: TargetReferenceSchema,
  follow: BackupFollowStateSchema,
});

export interface CheckBackupResult {
  follow: BackupFollowState;
  progress: BackupProgress;
}

export interface CheckBackupDependencies extends WorkflowDependencies {
  recoveryPoints: RecoveryPointCatalog;
}

/**
 * Reads the Backup's phase, decides the next wait or the end, and publishes the event that ends it. A completed
 * Backup's VolumeSnapshots get the target's marks first, so they are still known as ours after the Backup is gone;
 * then the backup is recorded in the recovery-point catalog outside the cluster, from what those requests answered.
 * What EC2 describes of the storage snapshots (encryption, KMS key, existence) is added by RecordRecoveryPoint on the
 * `Backup Completed` event (handlers/record-recovery-point.ts): this Kubernetes-facing function carries no EC2 client.
 */
export function createCheckBackup(deps: CheckBackupDependencies) {
  return async (event: unknown): Promise<CheckBackupResult> => {
    const { target: ref, follow: previous } = parseInput(CheckBackupEventSchema, event, 'check backup input');
    const target = deps.catalog().resolve(ref);
    // The Backup followed must be the target's: an execution input cannot point the check at another namespace or cluster.
    if (previous.namespace !== target.namespace || previous.cluster !== target.cluster)
      throw new InvalidInputError(
        `Invalid check backup input: follow: Backup ${previous.namespace}/${previous.name} is not of target ${target.name} (${target.namespace}/${target.cluster})`,
        ['follow: not of the target'],
      );
    deps.log.appendKeys({ target: target.name, backup: previous.name });
    const kube = await deps.kube(target);
    const backup = await kube.get('backups', previous.namespace, previous.name);
    const follow = { ...previous, checks: previous.checks + 1 };
    const progress = decideBackupProgress({
      follow,
      backup,
      now: deps.now(),
      notStartedTimeoutSeconds: target.backup.notStartedTimeoutMinutes * 60,
      runningTimeoutSeconds: target.backup.runningTimeoutMinutes * 60,
    });
    // A Backup that never started still holds the cluster's queue in CNPG: ours goes, unless CNPG started it meanwhile.
    if (progress.state === 'timedOut' && !progress.started && backup) await removeFromQueue(kube, backup, deps);
    if (progress.state === 'completed') {
      const protectedSnapshots = await protectSnapshots(kube, previous.namespace, target.name, progress.snapshots, deps);
      await catalogue(target, previous.name, progress, protectedSnapshots, deps);
    }
    const outcome = withCopyRequest(backupOutcomeEvent(target, follow, progress), target, ref);
    if (outcome) {
      deps.metrics.record(backupOutcomeMetrics(progress), target.name);
      await deps.events.publish([outcome]);
      deps.log.info('backup finished', { state: progress.state, phase: progress.phase, checks: follow.checks });
    }
    return { follow, progress };
  };
}

/**
 * Marks each VolumeSnapshot of the completed Backup as the target's, then sets its bound content to
 * `deletionPolicy: Retain`: deleting the snapshot object, its namespace or the EKS cluster no longer deletes the storage
 * snapshot of a backup that retention keeps. Retention releases the content again (Delete) just before it deletes the
 * snapshot, so expiry frees the storage.
 */
async function protectSnapshots(
  kube: KubeResources,
  namespace: string,
  target: string,
  snapshots: readonly string[],
  deps: WorkflowDependencies,
): Promise<ProtectedSnapshot[]> {
  const marks = { metadata: { labels: snapshotMarks(target) } };
  const unbound: string[] = [];
  const protectedSnapshots: ProtectedSnapshot[] = [];
  for (const snapshot of snapshots) {
    const marked = await kube.patch('volumesnapshots', namespace, snapshot, marks);
    const content = marked?.status?.boundVolumeSnapshotContentName;
    if (content === undefined) unbound.push(snapshot);
    const retained = content === undefined ? undefined : await kube.patch('volumesnapshotcontents', '', content, RETAIN);
    if (marked) protectedSnapshots.push({ snapshot: marked, content: retained });
  }
  if (unbound.length > 0) deps.log.warn('snapshots without a bound content: their storage is not protected', { snapshots: unbound });
  return protectedSnapshots;
}

/**
 * The completed backup's record in the catalog, from what Kubernetes answered; one that could not be restored from (a
 * gap in the cluster's objects) is not written, and said why.
 */
async function catalogue(
  target: TargetSpec,
  backup: string,
  progress: Extract<BackupProgress, { state: 'completed' }>,
  snapshots: readonly ProtectedSnapshot[],
  deps: CheckBackupDependencies,
): Promise<void> {
  const result = recoveryPointRecordOf({
    target,
    backup,
    ...(progress.startedAt !== undefined && { startedAt: progress.startedAt }),
    stoppedAt: progress.stoppedAt ?? deps.now().toISOString(),
    snapshots,
  });
  if ('incomplete' in result) deps.log.warn('the backup is not in the recovery-point catalog: it could not be restored from it', result);
  else await deps.recoveryPoints.record(result.record);
}

/** A completed backup of a target with copies asks for its copy in the event (copy-workflow-input.ts). */
function withCopyRequest(event: SchedulerEvent | undefined, target: TargetSpec, ref: TargetRef): SchedulerEvent | undefined {
  if (event?.detailType !== BackupEventType.Completed) return event;
  return { ...event, detail: { ...event.detail, ...copyToDetail(target, ref) } };
}

const RETAIN = { spec: { deletionPolicy: 'Retain' } } as const;

async function removeFromQueue(kube: KubeResources, backup: Backup, deps: WorkflowDependencies): Promise<void> {
  const resourceVersion = backup.metadata.resourceVersion;
  try {
    await kube.delete('backups', backup.metadata.namespace!, backup.metadata.name, resourceVersion ? { resourceVersion } : {});
    deps.log.info('removed the backup that never started from the queue');
  } catch (error) {
    if (!(error instanceof KubernetesApiError && error.status === 409)) throw error;
    deps.log.warn('the backup changed since it was read; it is left in place', { backup: backup.metadata.name });
  }
}
