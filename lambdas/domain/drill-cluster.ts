import { formatCompactUtc } from './backup-name';
import { CnpgLabel, KubeLabel } from './cnpg-api';
import type { Backup, Cluster, PersistentVolumeClaim, VolumeSnapshot } from './kube-objects';
import { buildRestorePlan, type RestorePlan } from './restore-manifest';
import { RESTORED_CLUSTER_NAME_MAX } from './restored-cluster-name';
import { MANAGER_NAME, SchedulerAnnotation, SchedulerLabel, isMarkedFor } from './scheduler-metadata';

/**
 * The throwaway Cluster of a restore drill: a restore of one backup with one instance, marked as a drill of its
 * target (labels managed-by, target, drill) and as this execution's (annotation), with no `spec.backup`: it takes no
 * backups and, like every restore, archives no WAL, so it can never write into the source's archive, and retention
 * (which reads only the source's Backups and snapshots) never sees it.
 */

const DRILL_SUFFIX = '-drill-';

/** `<cluster>-drill-<YYYYMMDDHHMMSS>`, the cluster part cut so that CNPG's recovery Job name still fits in 63. */
export function drillClusterName(sourceCluster: string, time: Date): string {
  const suffix = `${DRILL_SUFFIX}${formatCompactUtc(time)}`;
  return `${sourceCluster.slice(0, RESTORED_CLUSTER_NAME_MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
}

/** The label selector of every drill cluster of a target. */
export function drillSelector(target: string): string {
  return `${SchedulerLabel.Drill}=${target},${KubeLabel.ManagedBy}=${MANAGER_NAME},${SchedulerLabel.Target}=${target}`;
}

export function buildDrillPlan(input: {
  target: string;
  executionName: string;
  live: Cluster | undefined;
  source: { namespace: string; cluster: string };
  backup: Backup;
  snapshots: readonly VolumeSnapshot[];
  clusterName: string;
  now: Date;
}): RestorePlan {
  const plan = buildRestorePlan({
    live: input.live,
    source: input.source,
    backup: input.backup,
    snapshots: input.snapshots,
    request: { clusterName: input.clusterName, instances: 1, replica: false, requestedAt: input.now, requestId: input.clusterName },
  });
  const { manifest } = plan;
  manifest.metadata.labels = { ...manifest.metadata.labels, [SchedulerLabel.Target]: input.target, [SchedulerLabel.Drill]: input.target };
  manifest.metadata.annotations = { ...manifest.metadata.annotations, [SchedulerAnnotation.Execution]: input.executionName };
  delete manifest.spec.backup;
  return plan;
}

/**
 * Whether a Cluster is one this drill created, and so one it may delete: it carries the drill's marks for this
 * target, this execution's annotation, and, when the drill knows it, the name it gave it.
 */
export function isDrillClusterOf(cluster: Cluster, drill: { target: string; executionName: string; clusterName?: string }): boolean {
  const labels = cluster.metadata.labels;
  return (
    isMarkedFor(labels, drill.target) &&
    labels?.[SchedulerLabel.Drill] === drill.target &&
    cluster.metadata.annotations?.[SchedulerAnnotation.Execution] === drill.executionName &&
    (drill.clusterName === undefined || cluster.metadata.name === drill.clusterName) &&
    cluster.metadata.name.includes(DRILL_SUFFIX)
  );
}

/**
 * Whether a claim is one of the drill cluster's volumes, and so one the drill may delete: CNPG labels every volume of
 * an instance with the cluster (pkg/specs/pvcs.go) and names it `<cluster>-<serial>`, `-wal` or `-tbs-<name>` after it.
 */
export function isDrillClusterVolume(claim: PersistentVolumeClaim, clusterName: string): boolean {
  const name = clusterName;
  return (
    claim.metadata.labels?.[CnpgLabel.Cluster] === name && new RegExp(`^${name}-\\d+(-wal|-tbs-[a-z0-9-]+)?$`).test(claim.metadata.name)
  );
}
