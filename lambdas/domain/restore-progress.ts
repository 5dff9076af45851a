import { CLUSTER_FAILURE_PHASES, ClusterPhase, ReadyCondition } from './cnpg-api';
import type { Cluster, Job } from './kube-objects';
import { RECOVERY_JOB_SUFFIX } from './restored-cluster-name';

/**
 * Whether a restored cluster is ready. Ready is what `kubectl wait --for=condition=Ready` and CNPG mean by it:
 * phase "Cluster in healthy state", condition Ready=True, every instance ready, and the primary in place.
 */

/**
 * How long to wait before the next look: 10 s while the restore is young, then a tenth of its age, at most 2 minutes.
 * Every look costs 9 events of the execution's history, which Step Functions caps at 25,000 (a constant 10 s poll
 * reaches that after 7.7 hours); this one takes 746 looks, 6,714 events, for the longest restore allowed, a day. The
 * recovery time is read from the Ready condition's transition, so polling late only delays its report, by at most
 * a tenth of the restore's duration.
 */
export const RESTORE_POLL_MIN_SECONDS = 10;
export const RESTORE_POLL_MAX_SECONDS = 120;

export function restorePollSeconds(elapsedSeconds: number, remainingSeconds: number): number {
  const interval = Math.min(RESTORE_POLL_MAX_SECONDS, Math.max(RESTORE_POLL_MIN_SECONDS, Math.round(elapsedSeconds / 10)));
  return Math.max(1, Math.min(interval, Math.ceil(remainingSeconds)));
}

/** Kubernetes' default when a Job sets none, as CNPG's recovery Job does (pkg/specs/jobs.go). */
const DEFAULT_BACKOFF_LIMIT = 6;

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
}): RestoreProgress {
  const { cluster, now, createdAt } = input;
  if (!cluster || cluster.metadata.deletionTimestamp)
    return { state: 'failed', phase: 'deleted', reason: 'the restored Cluster was deleted while it was being followed' };
  const name = cluster.metadata.name;
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
  const recoveryJob = input.jobs.find((job) => job.metadata.name === `${name}${RECOVERY_JOB_SUFFIX}`);
  // A failed pod is retried: the Job, and so the restore, has failed only once the Job says so (condition Failed).
  const jobFailed = recoveryJob?.status?.conditions?.find((c) => c.type === 'Failed' && c.status === 'True');
  if (recoveryJob && jobFailed)
    return {
      state: 'failed',
      phase,
      reason: `Job ${recoveryJob.metadata.name} failed${jobFailed.reason ? ` (${jobFailed.reason})` : ''}: the snapshot could not be restored (see its pod logs)`,
    };
  const failedPods = recoveryJob?.status?.failed ?? 0;
  const reason = [
    phase
      ? `${phase}${status.phaseReason ? `: ${status.phaseReason}` : ''}`
      : 'no phase yet: CNPG is checking the snapshots (they must exist, with matching pvcRole and backupName)',
    ...(failedPods > 0
      ? [
          `${failedPods} pod(s) of Job ${recoveryJob?.metadata.name} failed, retried up to backoffLimit ${recoveryJob?.spec?.backoffLimit ?? DEFAULT_BACKOFF_LIMIT}`,
        ]
      : []),
  ].join('; ');
  const elapsed = seconds(createdAt, now);
  if (elapsed >= input.timeoutSeconds)
    return { state: 'timedOut', phase, reason: `not ready after ${Math.floor(elapsed / 60)} minutes; last state: ${reason}` };
  return { state: 'waiting', phase, reason, waitSeconds: restorePollSeconds(elapsed, input.timeoutSeconds - elapsed) };
}

/**
 * When the cluster became ready: the Ready condition's transition, stamped by the operator, when it lies between the
 * creation and now (both on the cluster's clock); otherwise now, the detection time, late by at most one poll.
 */
function readyTransition(lastTransitionTime: string | undefined, createdAt: Date, now: Date): Date {
  const transition = lastTransitionTime ? Date.parse(lastTransitionTime) : Number.NaN;
  return transition >= createdAt.getTime() && transition <= now.getTime() ? new Date(transition) : now;
}
