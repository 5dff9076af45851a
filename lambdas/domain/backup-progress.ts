import * as z from './zod-mini';
import { BackupPhase } from './cnpg-api';
import type { Backup } from './kube-objects';
import { IsoTimestamp } from './iso-timestamp';

/**
 * What the backup workflow carries between checks of one Backup: StartBackup produces it, CheckBackup reads it back.
 * In-flight state, so it is read leniently (unknown fields are dropped): a deploy that adds a field never fails an
 * execution that started before it.
 */
export const BackupFollowStateSchema = z.object({
  name: z.string().check(z.minLength(1)),
  namespace: z.string().check(z.minLength(1)),
  cluster: z.string().check(z.minLength(1)),
  /** When the Backup was created (or first seen, when adopted). */
  createdAt: IsoTimestamp,
  /** How long this cluster's backups usually take, creation to completion. */
  expectedDurationSeconds: z.number().check(z.nonnegative()),
  /** Checks done so far. */
  checks: z.int().check(z.nonnegative()),
});
export type BackupFollowState = z.infer<typeof BackupFollowStateSchema>;

export type BackupProgress =
  | { state: 'waiting'; phase: string; waitSeconds: number }
  | { state: 'completed'; phase: 'completed'; durationSeconds: number; startedAt?: string; stoppedAt?: string; snapshots: string[] }
  | { state: 'failed'; phase: string; reason: string }
  /** `started: false`: CNPG never started it, so it still sits in the cluster's backup queue. */
  | { state: 'timedOut'; phase: string; reason: string; started: boolean }
  /** The slot took no backup: an earlier one of the cluster was still in flight (`blockedBy`). */
  | { state: 'skipped'; phase: string; reason: string; blockedBy: string };

export const DEFAULT_EXPECTED_DURATION_SECONDS = 180;
export const MIN_POLL_SECONDS = 10;
export const MAX_POLL_SECONDS = 300;
/** Bounds the wait an unusually slow history can ask for; the deadlines in decideBackupProgress cap it further. */
export const MAX_FIRST_WAIT_SECONDS = 4 * 3600;
/** The first poll after the usual end, as a fraction of the usual duration. */
const OVERDUE_POLL_FRACTION = 0.1;
const HISTORY_SIZE = 10;
/** Not a CNPG phase: what a followed Backup that disappeared reports. */
export const DELETED_PHASE = 'deleted';

function secondsBetween(from: string | Date, to: string | Date): number {
  return (new Date(to).getTime() - new Date(from).getTime()) / 1000;
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Median creation-to-completion time of the newest completed backups; a default when there are none. */
export function expectedBackupDurationSeconds(previous: readonly Backup[]): number {
  const runs = previous.flatMap((backup) => {
    const stoppedAt = backup.status?.stoppedAt;
    const createdAt = backup.metadata.creationTimestamp;
    if (backup.status?.phase !== BackupPhase.Completed || !stoppedAt || !createdAt) return [];
    const duration = secondsBetween(createdAt, stoppedAt);
    return duration > 0 ? [{ stoppedAt: Date.parse(stoppedAt), duration }] : [];
  });
  if (runs.length === 0) return DEFAULT_EXPECTED_DURATION_SECONDS;
  const newest = runs
    .sort((a, b) => b.stoppedAt - a.stoppedAt)
    .slice(0, HISTORY_SIZE)
    .map((run) => run.duration)
    .sort((a, b) => a - b);
  return Math.max(1, Math.round(median(newest)));
}

/**
 * The next wait. Before the usual end, wait until it (a routine backup is then seen completed at the first check);
 * past it, poll on a short interval that doubles with every further check, within MIN and MAX_POLL_SECONDS.
 */
export function nextPollSeconds(follow: BackupFollowState, elapsedSeconds: number): number {
  const untilUsualEnd = Math.ceil(follow.expectedDurationSeconds - elapsedSeconds);
  // Less than one short poll before the usual end counts as overdue: a check just before it would be wasted.
  if (untilUsualEnd >= MIN_POLL_SECONDS) return Math.min(untilUsualEnd, MAX_FIRST_WAIT_SECONDS);
  const firstOverduePoll = Math.round(follow.expectedDurationSeconds * OVERDUE_POLL_FRACTION);
  const overdueChecks = Math.max(0, follow.checks - 1);
  return Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, firstOverduePoll) * 2 ** overdueChecks);
}

/**
 * Phases of a Backup CNPG has not started: never reconciled (no phase), queued, or refused by the admission guard.
 * `invalid backup definition` is not final: CNPG's guard resets it once the definition validates again
 * (api/v1/backup_funcs.go SetAdmissionError, internal/webhook/guard/guard.go), and until then it holds the cluster's
 * queue like a pending one (GetPendingBackupNames counts every phase that is neither done nor executing).
 */
const NOT_STARTED: ReadonlySet<string> = new Set(['', BackupPhase.Pending, BackupPhase.DefinitionInvalid]);
/** Started and not done; walArchivingFailing is barman-only but not terminal, so the running deadline decides. */
const RUNNING: ReadonlySet<string> = new Set([
  BackupPhase.Started,
  BackupPhase.Running,
  BackupPhase.Finalizing,
  BackupPhase.WalArchivingFailing,
]);

/** Whether CNPG is done with the Backup (BackupStatus.IsDone: completed or failed); anything else is in flight. */
export function isBackupDone(backup: Backup): boolean {
  const phase = backup.status?.phase;
  return phase === BackupPhase.Completed || phase === BackupPhase.Failed;
}

/** Whether CNPG has not started the Backup yet (and it therefore waits in, or blocks, the cluster's queue). */
export function isBackupNotStarted(backup: Backup): boolean {
  return NOT_STARTED.has(backup.status?.phase ?? '');
}

export interface BackupDeadlines {
  /** From creation: a Backup CNPG has not started by then is timed out (and, being ours, removed from the queue). */
  notStartedTimeoutSeconds: number;
  /** From the start CNPG recorded: a started Backup not done by then is timed out (CNPG goes on with it). */
  runningTimeoutSeconds: number;
}

/**
 * Reads a Backup's state at `now` and decides: keep waiting (and how long), or the end and why.
 * A Backup is timed out at (not only after) a deadline, so a wait that ends on the deadline needs no extra check.
 */
export function decideBackupProgress(
  input: { follow: BackupFollowState; backup: Backup | undefined; now: Date } & BackupDeadlines,
): BackupProgress {
  const { follow, backup, now } = input;
  const ref = `Backup ${follow.namespace}/${follow.name}`;
  if (!backup) return { state: 'failed', phase: DELETED_PHASE, reason: `${ref} was deleted while it was being followed` };
  const phase = backup.status?.phase ?? '';
  if (phase === BackupPhase.Completed) {
    const { startedAt, stoppedAt, snapshotBackupStatus } = backup.status ?? {};
    return {
      state: 'completed',
      phase: BackupPhase.Completed,
      durationSeconds: Math.max(0, Math.round(secondsBetween(follow.createdAt, stoppedAt ?? now))),
      ...(startedAt && { startedAt }),
      ...(stoppedAt && { stoppedAt }),
      snapshots: (snapshotBackupStatus?.elements ?? []).map((element) => element.name),
    };
  }
  if (phase === BackupPhase.Failed)
    return { state: 'failed', phase, reason: backup.status?.error || `${ref} is ${phase} and CNPG gave no error` };

  const elapsed = secondsBetween(follow.createdAt, now);
  if (NOT_STARTED.has(phase)) {
    // A Backup CNPG has not reconciled yet has no status: it is queued like a pending one.
    const shown = phase || BackupPhase.Pending;
    if (elapsed >= input.notStartedTimeoutSeconds)
      return { state: 'timedOut', phase: shown, started: false, reason: notStartedReason(ref, backup, elapsed) };
    return { state: 'waiting', phase: shown, waitSeconds: waitUntil(follow, elapsed, input.notStartedTimeoutSeconds - elapsed) };
  }
  if (!RUNNING.has(phase))
    return { state: 'failed', phase, reason: `${ref} is in phase "${phase}", which a volume-snapshot backup never reaches` };
  const startedAt = backup.status?.startedAt ?? follow.createdAt;
  const running = secondsBetween(startedAt, now);
  if (running >= input.runningTimeoutSeconds)
    return {
      state: 'timedOut',
      phase,
      started: true,
      reason: `${ref} still ${phase} ${Math.floor(running / 60)} minutes after it started`,
    };
  return { state: 'waiting', phase, waitSeconds: waitUntil(follow, elapsed, input.runningTimeoutSeconds - running) };
}

/** The next poll, ending on the deadline at the latest so the check after it reports the timeout promptly. */
function waitUntil(follow: BackupFollowState, elapsed: number, untilDeadline: number): number {
  return Math.max(1, Math.min(nextPollSeconds(follow, elapsed), Math.ceil(untilDeadline)));
}

function notStartedReason(ref: string, backup: Backup, elapsed: number): string {
  const minutes = Math.floor(elapsed / 60);
  if (backup.status?.phase === BackupPhase.DefinitionInvalid)
    return `${ref} did not start within ${minutes} minutes: CNPG holds it as an invalid backup definition (${backup.status.error || 'no error given'})`;
  return `${ref} did not start within ${minutes} minutes: another backup of the cluster may be running, or the operator is down`;
}
