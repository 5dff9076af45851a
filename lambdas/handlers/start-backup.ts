import { z } from 'zod';
import { ConflictError, InvalidInputError, PreconditionFailedError } from '../errors';
import { buildBackupManifest, isOwnBackupOfSlot } from '../domain/backup-manifest';
import { backupNameFor } from '../domain/backup-name';
import { expectedBackupDurationSeconds, nextPollSeconds, type BackupFollowState, type BackupProgress } from '../domain/backup-progress';
import { CnpgLabel } from '../domain/cnpg-api';
import { clusterBackupBlocker } from '../domain/cluster-backup-precondition';
import { snapshotOwnershipWarning } from '../domain/snapshot-ownership';
import { parseInput } from '../domain/validation';
import { SCHEDULE_CLOCK_SKEW_MS, WorkflowInputSchema } from '../domain/workflow-input';
import type { WorkflowDependencies } from './workflow-dependencies';

const StartBackupEventSchema = z.strictObject({
  input: WorkflowInputSchema,
  executionName: z.string().min(1).max(80),
});

export interface StartBackupResult {
  follow: BackupFollowState;
  progress: BackupProgress;
}

/** First step of the backup workflow: checks the Cluster, then creates (or adopts) the Backup of this slot. */
export function createStartBackup(deps: WorkflowDependencies) {
  return async (event: unknown): Promise<StartBackupResult> => {
    const { input, executionName } = parseInput(StartBackupEventSchema, event, 'backup workflow input');
    const { target } = input;
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
    const ownership = snapshotOwnershipWarning(cluster!.spec, `${target.namespace}/${target.cluster}`);
    if (ownership) deps.log.warn(ownership);

    const manifest = buildBackupManifest({ target, name, scheduledTime, execution: executionName });
    const history = await kube.list('backups', target.namespace, { labelSelector: `${CnpgLabel.Cluster}=${target.cluster}` });
    const result = await kube.create('backups', target.namespace, manifest);
    if (!result.created && !isOwnBackupOfSlot(result.existing, manifest))
      throw new ConflictError(
        `Backup ${target.namespace}/${name} already exists and was not created by cnpg-snapshot-scheduler for this slot; rename or delete it`,
      );
    const backup = result.created ? result.object : result.existing;
    deps.log.info(result.created ? 'backup created' : 'backup of this slot already exists; following it');

    const follow: BackupFollowState = {
      name,
      namespace: target.namespace,
      cluster: target.cluster,
      createdAt: backup.metadata.creationTimestamp ?? now.toISOString(),
      expectedDurationSeconds: expectedBackupDurationSeconds(history.filter((b) => b.metadata.name !== name)),
      checks: 0,
    };
    const elapsedSeconds = Math.max(0, (now.getTime() - new Date(follow.createdAt).getTime()) / 1000);
    return {
      follow,
      progress: {
        state: 'waiting',
        phase: backup.status?.phase ?? 'pending',
        // The first check must come by the pending deadline, however long backups usually take.
        waitSeconds: Math.max(
          1,
          Math.min(nextPollSeconds(follow, elapsedSeconds), target.backup.pendingTimeoutMinutes * 60 - Math.floor(elapsedSeconds)),
        ),
      },
    };
  };
}
