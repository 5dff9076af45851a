import { CLUSTER_FAILURE_PHASES, ClusterPhase, ReadyCondition } from './cnpg-api';
import type { Cluster, Job } from './kube-objects';

/**
 * Whether a restored cluster is ready. Ready is what `kubectl wait --for=condition=Ready` and CNPG mean by it:
 * phase "Cluster in healthy state", condition Ready=True, every instance ready, and the primary in place.
 * Polling is short and constant, never backed off: when the Ready transition time cannot be trusted, the recovery
 * time is measured at detection, and a constant 10 s keeps that within one interval of the real ready time.
 */
export const RESTORE_POLL_SECONDS = 10;

export type RestoreProgress =
  | { state: 'waiting'; phase: string; reason: string; waitSeconds: number }
  | { state: 'ready'; phase: string; readyAt: string; rtoSeconds: number; detectionLagSeconds: number }
  | { state: 'failed'; phase: string; reason: string }
  | { state: 'timedOut'; phase: string; reason: string };

const seconds = (from: Date, to: Date) => Math.max(0, Math.round((to.getTime() - from.getTime()) / 1000));

export function decideRestoreProgress(input: {
  cluster: Cluster | undefined;
  jobs: readonly Job[];
  createdAt: Date;
  now: Date;
  timeoutSeconds: number;
  pollSeconds: number;
}): RestoreProgress {
  const { cluster, now, createdAt } = input;
  if (!cluster || cluster.metadata.deletionTimestamp)
    return { state: 'failed', phase: 'deleted', reason: 'the restored Cluster was deleted while it was being followed' };
  const name = cluster.metadata.name!;
  const status = cluster.status ?? {};
  const phase = status.phase ?? '';
  const ready = status.conditions?.find((c) => c.type === ReadyCondition);
  if (
    phase === ClusterPhase.Healthy &&
    ready?.status === 'True' &&
    status.readyInstances === cluster.spec.instances &&
    status.currentPrimary !== undefined &&
    status.currentPrimary === status.targetPrimary
  ) {
    const readyAt = readyTransition(ready.lastTransitionTime, createdAt, now);
    return {
      state: 'ready',
      phase,
      readyAt: readyAt.toISOString(),
      rtoSeconds: seconds(createdAt, readyAt),
      detectionLagSeconds: seconds(readyAt, now),
    };
  }
  if (CLUSTER_FAILURE_PHASES.has(phase))
    return { state: 'failed', phase, reason: `${phase}${status.phaseReason ? `: ${status.phaseReason}` : ''}` };
  const recoveryJob = input.jobs.find((job) => job.metadata.name === `${name}-1-snapshot-recovery`);
  if (
    recoveryJob &&
    ((recoveryJob.status?.failed ?? 0) > 0 || recoveryJob.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True'))
  )
    return {
      state: 'failed',
      phase,
      reason: `Job ${recoveryJob.metadata.name} failed: the snapshot could not be restored (see its pod logs)`,
    };
  const reason = phase
    ? `${phase}${status.phaseReason ? `: ${status.phaseReason}` : ''}`
    : 'no phase yet: CNPG is checking the snapshots (they must exist, with matching pvcRole and backupName)';
  const elapsed = seconds(createdAt, now);
  if (elapsed >= input.timeoutSeconds)
    return { state: 'timedOut', phase, reason: `not ready after ${Math.floor(elapsed / 60)} minutes; last state: ${reason}` };
  return { state: 'waiting', phase, reason, waitSeconds: input.pollSeconds };
}

/**
 * When the cluster became ready: the Ready condition's transition, stamped by the operator, when it lies between the
 * creation and now (both on the cluster's clock); otherwise now, the detection time, late by at most one poll.
 */
function readyTransition(lastTransitionTime: string | undefined, createdAt: Date, now: Date): Date {
  const transition = lastTransitionTime ? Date.parse(lastTransitionTime) : Number.NaN;
  return transition >= createdAt.getTime() && transition <= now.getTime() ? new Date(transition) : now;
}
