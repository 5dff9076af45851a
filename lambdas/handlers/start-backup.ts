import * as z from '../domain/zod-mini';
import { ConflictError, InvalidInputError, KubernetesApiError, PreconditionFailedError } from '../errors';
import type { KubeResources } from '../adapters/kube-resources';
import { backupOutcomeEvent, backupOutcomeMetrics } from '../domain/backup-events';
import { buildBackupManifest, isOwnBackupOfSlot } from '../domain/backup-manifest';
import { backupNameFor } from '../domain/backup-name';
import { expectedBackupDurationSeconds, nextPollSeconds, type BackupFollowState, type BackupProgress } from '../domain/backup-progress';
import { inspectSlotQueue } from '../domain/backup-queue';
import { clusterBackupBlocker } from '../domain/cluster-backup-precondition';
import type { Backup } from '../domain/kube-objects';
import { discoveredClusterProblem } from '../domain/target-discovery';
import type { TargetSpec } from '../domain/target-spec';
import { snapshotOwnershipWarning } from '../domain/snapshot-ownership';
import { parseInput } from '../domain/validation';
import { SCHEDULE_CLOCK_SKEW_MS, WorkflowInputSchema } from '../domain/workflow-input';
import type { WorkflowDependencies } from './workflow-dependencies';

const StartBackupEventSchema = z.strictObject({
  input: WorkflowInputSchema,
  executionName: z.string().check(z.minLength(1), z.maxLength(80)),
});

export interface StartBackupResult {
  follow: BackupFollowState;
  progress: BackupProgress;
}

/**
 * First step of the backup workflow: checks the Cluster, then creates (or adopts) the Backup of this slot. One backup
 * is in flight per cluster: a slot that finds an earlier Backup of the cluster still in flight takes none and reports
 * itself skipped, instead of queueing behind it in CNPG.
 */
export function createStartBackup(deps: WorkflowDependencies) {
  return async (event: unknown): Promise<StartBackupResult> => {
    const { input, executionName } = parseInput(StartBackupEventSchema, event, 'backup workflow input');
    const target = deps.catalog().resolve(input.target, 'input.target');
    const now = deps.now();
    const scheduledTime = input.scheduledTime ? new Date(input.scheduledTime) : now;
    if (scheduledTime.getTime() > now.getTime() + SCHEDULE_CLOCK_SKEW_MS)
      throw new InvalidInputError(`Invalid backup workflow input: input.scheduledTime: ${input.scheduledTime} is in the future`);
    const name = backupNameFor(target.cluster, scheduledTime);
    deps.log.appendKeys({ target: target.name, backup: name, execution: executionName });

    const kube = await deps.kube(target);
    const cluster = await kube.get('clusters', target.namespace, target.cluster);
    const blocker = clusterBackupBlocker(cluster, target);
    if (blocker) throw new PreconditionFailedError(blocker);
    const undiscovered = typeof input.target === 'string' ? undefined : discoveredClusterProblem(cluster!.metadata.labels, input.target);
    if (undiscovered) throw new PreconditionFailedError(undiscovered);
    const ownership = snapshotOwnershipWarning(cluster!.spec, `${target.namespace}/${target.cluster}`);
    if (ownership) deps.log.warn(ownership);

    const policy = typeof input.target === 'string' ? {} : { policy: input.target.policy };
    const manifest = buildBackupManifest({ target, cluster: cluster!, name, scheduledTime, execution: executionName, ...policy });
    // Every Backup of the cluster, not only ours: CNPG queues them all, and CRDs offer no field selector on the cluster.
    const backups = (await kube.list('backups', target.namespace)).filter((b) => b.spec.cluster.name === target.cluster);
    const queue = inspectSlotQueue({
      backups,
      cluster: target.cluster,
      name,
      now,
      notStartedTimeoutSeconds: target.backup.notStartedTimeoutMinutes * 60,
    });
    const follow: BackupFollowState = {
      name,
      namespace: target.namespace,
      cluster: target.cluster,
      createdAt: queue.own?.metadata.creationTimestamp ?? now.toISOString(),
      expectedDurationSeconds: expectedBackupDurationSeconds(backups.filter((b) => b.metadata.name !== name)),
      checks: 0,
    };
    if (!queue.own) {
      const inFlight = [...(await removeFromQueue(kube, queue.stale, deps)), ...queue.inFlight];
      if (inFlight.length > 0) return skipped(deps, target, follow, inFlight[0]!);
    }

    const result = queue.own ? { created: false as const, existing: queue.own } : await kube.create('backups', target.namespace, manifest);
    if (!result.created && !isOwnBackupOfSlot(result.existing, manifest))
      throw new ConflictError(
        `Backup ${target.namespace}/${name} already exists and was not created by cnpg-snapshot-scheduler for this slot; rename or delete it`,
      );
    const backup = result.created ? result.object : result.existing;
    deps.log.info(result.created ? 'backup created' : 'backup of this slot already exists; following it');
    follow.createdAt = backup.metadata.creationTimestamp ?? follow.createdAt;
    const elapsedSeconds = Math.max(0, (now.getTime() - new Date(follow.createdAt).getTime()) / 1000);
    return {
      follow,
      progress: {
        state: 'waiting',
        phase: backup.status?.phase || 'pending',
        // The first check must come by the not-started deadline, however long backups usually take.
        waitSeconds: Math.max(
          1,
          Math.min(nextPollSeconds(follow, elapsedSeconds), target.backup.notStartedTimeoutMinutes * 60 - Math.floor(elapsedSeconds)),
        ),
      },
    };
  };
}

/**
 * Deletes our Backups that CNPG never started before their deadline (an execution that ended before it could), each
 * only at the version seen: one CNPG started meanwhile answers 409 and stays. Returns those that stayed.
 */
async function removeFromQueue(kube: KubeResources, stale: readonly Backup[], deps: WorkflowDependencies): Promise<Backup[]> {
  const stayed: Backup[] = [];
  for (const backup of stale) {
    try {
      const resourceVersion = backup.metadata.resourceVersion;
      await kube.delete('backups', backup.metadata.namespace!, backup.metadata.name, resourceVersion ? { resourceVersion } : {});
      deps.log.info('removed a backup of ours that never started from the queue', { staleBackup: backup.metadata.name });
    } catch (error) {
      if (!(error instanceof KubernetesApiError && error.status === 409)) throw error;
      stayed.push(backup);
    }
  }
  return stayed;
}

async function skipped(
  deps: WorkflowDependencies,
  target: TargetSpec,
  follow: BackupFollowState,
  blocker: Backup,
): Promise<StartBackupResult> {
  const phase = blocker.status?.phase || 'pending';
  const progress: BackupProgress = {
    state: 'skipped',
    phase,
    blockedBy: blocker.metadata.name,
    reason: `Backup ${target.namespace}/${blocker.metadata.name} of the cluster is still ${phase}; CNPG runs one backup per cluster, so this slot takes none`,
  };
  deps.metrics.record(backupOutcomeMetrics(progress), target.name);
  await deps.events.publish([backupOutcomeEvent(target, follow, progress)!]);
  deps.log.info('slot skipped: an earlier backup of the cluster is still in flight', { blockedBy: blocker.metadata.name, phase });
  return { follow, progress };
}
