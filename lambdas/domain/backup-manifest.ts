import { CNPG_API_VERSION, CnpgAnnotation, CnpgLabel, KubeLabel } from './cnpg-api';
import type { Backup, BackupSpec } from './kube-objects';
import { MANAGER_NAME, SchedulerAnnotation, SchedulerLabel } from './scheduler-metadata';
import type { TargetSpec } from './target-spec';

/** The volume-snapshot Backup of one slot, labelled so the scheduler (and `kubectl get -l`) can find its own. */
export function buildBackupManifest(input: { target: TargetSpec; name: string; scheduledTime: Date; execution: string }): Backup {
  const { target } = input;
  const options = target.backup;
  const spec: BackupSpec = { cluster: { name: target.cluster }, method: 'volumeSnapshot' };
  if (options.online !== undefined) spec.online = options.online;
  if (options.immediateCheckpoint !== undefined) spec.onlineConfiguration = { immediateCheckpoint: options.immediateCheckpoint };
  if (options.target !== undefined) spec.target = options.target;
  const annotations: Record<string, string> = {
    [SchedulerAnnotation.ScheduledTime]: input.scheduledTime.toISOString(),
    [SchedulerAnnotation.Execution]: input.execution,
  };
  if (options.snapshotDeadlineMinutes !== undefined)
    annotations[CnpgAnnotation.VolumeSnapshotDeadline] = String(options.snapshotDeadlineMinutes);
  return {
    apiVersion: CNPG_API_VERSION,
    kind: 'Backup',
    metadata: {
      name: input.name,
      namespace: target.namespace,
      labels: { [CnpgLabel.Cluster]: target.cluster, [KubeLabel.ManagedBy]: MANAGER_NAME, [SchedulerLabel.Target]: target.name },
      annotations,
    },
    spec,
  };
}

/**
 * Whether an existing Backup with the slot's name is the one this slot creates (a retried or duplicated run), as
 * opposed to somebody else's object that merely has the name.
 */
export function isOwnBackupOfSlot(existing: Backup, expected: Backup): boolean {
  const labels = existing.metadata.labels ?? {};
  return (
    labels[KubeLabel.ManagedBy] === MANAGER_NAME &&
    existing.spec.cluster.name === expected.spec.cluster.name &&
    existing.metadata.annotations?.[SchedulerAnnotation.ScheduledTime] ===
      expected.metadata.annotations?.[SchedulerAnnotation.ScheduledTime] &&
    sameRequestedSpec(existing.spec, expected.spec)
  );
}

/** Compares the fields the scheduler sets; the API server fills CRD defaults (e.g. waitForArchive) into the rest. */
function sameRequestedSpec(a: BackupSpec, b: BackupSpec): boolean {
  return (
    a.method === b.method &&
    a.online === b.online &&
    a.target === b.target &&
    a.onlineConfiguration?.immediateCheckpoint === b.onlineConfiguration?.immediateCheckpoint
  );
}
