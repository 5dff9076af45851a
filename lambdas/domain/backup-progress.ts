import { BackupPhase } from './cnpg-api';
import type { Backup } from './kube-objects';

/** What the backup workflow carries between checks of one Backup. */
export interface BackupFollowState {
  name: string;
  namespace: string;
  cluster: string;
  /** When the Backup was created (or first seen, when adopted). */
  createdAt: string;
  /** How long this cluster's backups usually take, creation to completion. */
  expectedDurationSeconds: number;
  checks: number;
}

export type BackupProgress =
  | { state: 'waiting'; phase: string; waitSeconds: number }
  | { state: 'completed'; phase: 'completed'; durationSeconds: number; startedAt?: string; stoppedAt?: string; snapshots: string[] }
  | { state: 'failed'; phase: string; reason: string }
  | { state: 'timedOut'; phase: string; reason: string };

export const DEFAULT_EXPECTED_DURATION_SECONDS = 180;
export const MIN_POLL_SECONDS = 10;
export const MAX_POLL_SECONDS = 300;
const HISTORY_SIZE = 10;

function seconds(from: string | Date, to: string | Date): number {
  return (new Date(to).getTime() - new Date(from).getTime()) / 1000;
}

/** Median creation-to-completion time of the newest completed backups; a default when there are none. */
export function expectedBackupDurationSeconds(previous: readonly Backup[]): number {
  const durations = previous
    .filter((b) => b.status?.phase === BackupPhase.Completed && b.status.stoppedAt && b.metadata.creationTimestamp)
    .sort((a, b) => b.status!.stoppedAt!.localeCompare(a.status!.stoppedAt!))
    .slice(0, HISTORY_SIZE)
    .map((b) => seconds(b.metadata.creationTimestamp!, b.status!.stoppedAt!))
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  if (durations.length === 0) return DEFAULT_EXPECTED_DURATION_SECONDS;
  const middle = Math.floor(durations.length / 2);
  const median = durations.length % 2 === 1 ? durations[middle]! : (durations[middle - 1]! + durations[middle]!) / 2;
  return Math.round(median);
}

/**
 * The next wait. Before the usual duration has passed, wait until it has (a routine backup then needs one check);
 * past it, poll on a short interval that doubles per extra check, bounded by MIN and MAX_POLL_SECONDS.
 */
export function nextPollSeconds(follow: BackupFollowState, elapsedSeconds: number): number {
  const untilExpected = Math.ceil(follow.expectedDurationSeconds - elapsedSeconds);
  if (untilExpected >= MIN_POLL_SECONDS) return Math.min(untilExpected, 4 * 3600);
  const base = Math.max(MIN_POLL_SECONDS, Math.round(follow.expectedDurationSeconds / 10));
  const overdueChecks = Math.max(0, follow.checks - 1);
  return Math.min(MAX_POLL_SECONDS, base * 2 ** Math.min(overdueChecks, 10));
}

const IN_PROGRESS: ReadonlySet<string> = new Set([BackupPhase.Pending, BackupPhase.Started, BackupPhase.Running, BackupPhase.Finalizing]);

/** Reads a Backup's state at `now` and decides: keep waiting (and how long), or the end and why. */
export function decideBackupProgress(input: {
  follow: BackupFollowState;
  backup: Backup | undefined;
  now: Date;
  pendingTimeoutSeconds: number;
  timeoutSeconds: number;
}): BackupProgress {
  const { follow, backup, now } = input;
  const ref = `${follow.namespace}/${follow.name}`;
  if (!backup) return { state: 'failed', phase: 'deleted', reason: `Backup ${ref} was deleted while it was being followed` };
  const phase = backup.status?.phase ?? BackupPhase.Pending;
  if (phase === BackupPhase.Completed) {
    const stoppedAt = backup.status?.stoppedAt;
    return {
      state: 'completed',
      phase: BackupPhase.Completed,
      durationSeconds: Math.max(0, Math.round(seconds(follow.createdAt, stoppedAt ?? now))),
      ...(backup.status?.startedAt && { startedAt: backup.status.startedAt }),
      ...(stoppedAt && { stoppedAt }),
      snapshots: (backup.status?.snapshotBackupStatus?.elements ?? []).map((element) => element.name),
    };
  }
  if (phase === BackupPhase.Failed || phase === BackupPhase.DefinitionInvalid)
    return { state: 'failed', phase, reason: backup.status?.error ?? `Backup ${ref} is ${phase} and CNPG gave no error` };

  const elapsed = seconds(follow.createdAt, now);
  if (phase === BackupPhase.Pending && elapsed >= input.pendingTimeoutSeconds)
    return {
      state: 'timedOut',
      phase,
      reason: `Backup ${ref} stuck in pending for ${Math.floor(elapsed / 60)} minutes: another backup of the cluster may be running, or the operator is down`,
    };
  if (elapsed >= input.timeoutSeconds)
    return { state: 'timedOut', phase, reason: `Backup ${ref} still ${phase} after ${Math.floor(elapsed / 60)} minutes` };
  if (!IN_PROGRESS.has(phase) && phase !== BackupPhase.WalArchivingFailing)
    return { state: 'failed', phase, reason: `Backup ${ref} is in phase "${phase}", which a volume-snapshot backup never reaches` };

  const deadline = phase === BackupPhase.Pending ? Math.min(input.pendingTimeoutSeconds, input.timeoutSeconds) : input.timeoutSeconds;
  // Never wait past a deadline by more than one short poll: the check after the wait must see the timeout promptly.
  const untilDeadline = Math.max(1, Math.ceil(deadline - elapsed));
  return { state: 'waiting', phase, waitSeconds: Math.min(nextPollSeconds(follow, elapsed), untilDeadline) };
}
