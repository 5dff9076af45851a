import { CNPG_API_VERSION, CnpgAnnotation, CnpgLabel, KubeLabel } from './cnpg-api';
import type { Backup, BackupSpec, Cluster, OnlineConfiguration } from './kube-objects';
import { MANAGER_NAME, SchedulerAnnotation, SchedulerLabel, ownershipLabels } from './scheduler-metadata';
import type { TargetSpec } from './target-spec';

/**
 * The volume-snapshot Backup of one slot, labelled so the scheduler (and `kubectl get -l`) can find its own.
 *
 * A Backup's onlineConfiguration replaces the cluster's whole one, not field by field (api/v1/backup_funcs.go,
 * GetVolumeSnapshotConfiguration), and the Backup CRD defaults waitForArchive to true: a Backup that set only
 * immediateCheckpoint would silently reset a cluster's `waitForArchive: false`. So the Backup carries the cluster's
 * settings and overrides only what the target sets.
 */
export function buildBackupManifest(input: {
  target: TargetSpec;
  cluster: Cluster;
  name: string;
  scheduledTime: Date;
  execution: string;
  /** A discovered target's policy: labelled on the Backup, so retention still finds the target once it is not discovered. */
  policy?: string;
}): Backup {
  const { target } = input;
  const options = target.backup;
  const spec: BackupSpec = { cluster: { name: target.cluster }, method: 'volumeSnapshot' };
  if (options.online !== undefined) spec.online = options.online;
  if (options.immediateCheckpoint !== undefined)
    spec.onlineConfiguration = { ...clusterOnlineConfiguration(input.cluster), immediateCheckpoint: options.immediateCheckpoint };
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
      labels: {
        [CnpgLabel.Cluster]: target.cluster,
        ...ownershipLabels(target.name),
        ...(input.policy !== undefined && { [SchedulerLabel.Policy]: input.policy }),
      },
      annotations,
    },
    spec,
  };
}

/** The cluster's own onlineConfiguration fields (CRD: immediateCheckpoint, waitForArchive), those it sets. */
function clusterOnlineConfiguration(cluster: Cluster): OnlineConfiguration {
  const { immediateCheckpoint, waitForArchive } = cluster.spec.backup?.volumeSnapshot?.onlineConfiguration ?? {};
  return {
    ...(immediateCheckpoint !== undefined && { immediateCheckpoint }),
    ...(waitForArchive !== undefined && { waitForArchive }),
  };
}

/**
 * Whether an existing Backup with the slot's name is the one this slot creates (a retried or duplicated run), as
 * opposed to somebody else's object that merely has the name.
 */
export function isOwnBackupOfSlot(existing: Backup, expected: Backup): boolean {
  return (
    existing.metadata.labels?.[KubeLabel.ManagedBy] === MANAGER_NAME &&
    existing.spec.cluster.name === expected.spec.cluster.name &&
    existing.metadata.annotations?.[SchedulerAnnotation.ScheduledTime] ===
      expected.metadata.annotations?.[SchedulerAnnotation.ScheduledTime] &&
    canonicalJson(existing.spec) === canonicalJson(asStoredByApiServer(expected.spec))
  );
}

/** The spec as the API server stores it: CRD defaulting adds waitForArchive to an onlineConfiguration we send. */
function asStoredByApiServer(spec: BackupSpec): BackupSpec {
  if (!spec.onlineConfiguration) return spec;
  return { ...spec, onlineConfiguration: { waitForArchive: true, ...spec.onlineConfiguration } };
}

/** JSON with object keys sorted, so two values compare equal whatever order their fields were written in. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    field !== null && typeof field === 'object' && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => (a < b ? -1 : 1)))
      : field,
  );
}
