import * as z from 'zod';
import type { RecoveryPointCopy } from './recovery-point-record';

/** What DescribeSnapshots says of one copy (EC2 API Reference, Snapshot: State, StateMessage, Progress). */
export interface DescribedCopy {
  id: string;
  state: 'pending' | 'completed' | 'error' | 'recoverable' | 'recovering';
  progress?: string;
  stateMessage?: string;
}

/** The first wait after the copies start, and the longest: a cross-Region copy takes minutes to hours. */
export const FIRST_COPY_WAIT_SECONDS = 300;
export const LONGEST_COPY_WAIT_SECONDS = 1800;
/**
 * A copy still pending this long after it started is failed (and deleted): a first full copy of a large volume
 * across Regions takes hours, never days. The copy workflow's own timeout is a little longer.
 */
export const COPY_DEADLINE_HOURS = 48;

/** What the copy workflow carries between its steps: the Region followed and how many checks it took. */
export const CopyFollowStateSchema = z.strictObject({
  region: z.string().min(1),
  checks: z.int().min(0),
});
export type CopyFollowState = z.infer<typeof CopyFollowStateSchema>;

export type CopyProgress =
  | { state: 'waiting'; waitSeconds: number; pending: string[] }
  | { state: 'completed'; durationSeconds: number }
  | { state: 'failed'; reason: string };

/** The wait before check number `checks + 1`: doubling from 5 minutes, at most 30. */
export function copyWaitSeconds(checks: number): number {
  return Math.min(FIRST_COPY_WAIT_SECONDS * 2 ** checks, LONGEST_COPY_WAIT_SECONDS);
}

/**
 * Where the copies of a backup stand: completed once every volume's copy is; failed when any is in error, has
 * vanished (DescribeSnapshots no longer lists it) or is still pending past the deadline; waiting otherwise.
 */
export function decideCopyProgress(input: {
  copy: RecoveryPointCopy;
  described: readonly DescribedCopy[];
  checks: number;
  now: Date;
}): CopyProgress {
  const byId = new Map(input.described.map((snapshot) => [snapshot.id, snapshot]));
  const problems: string[] = [];
  const pending: string[] = [];
  for (const volume of input.copy.volumes) {
    const snapshot = byId.get(volume.snapshotHandle);
    if (!snapshot) problems.push(`${volume.snapshotHandle} (copy of ${volume.sourceSnapshotHandle}) no longer exists`);
    else if (snapshot.state === 'error')
      problems.push(`${snapshot.id} (copy of ${volume.sourceSnapshotHandle}) failed: ${snapshot.stateMessage ?? 'no reason given'}`);
    else if (snapshot.state !== 'completed') pending.push(snapshot.id);
  }
  if (problems.length > 0) return { state: 'failed', reason: `copy to ${input.copy.region}: ${problems.join('; ')}` };
  const elapsedSeconds = Math.max(0, Math.round((input.now.getTime() - Date.parse(input.copy.startedAt)) / 1000));
  if (pending.length === 0) return { state: 'completed', durationSeconds: elapsedSeconds };
  if (elapsedSeconds >= COPY_DEADLINE_HOURS * 3600)
    return {
      state: 'failed',
      reason: `copy to ${input.copy.region}: ${pending.join(', ')} still pending after ${COPY_DEADLINE_HOURS} hours`,
    };
  return { state: 'waiting', waitSeconds: copyWaitSeconds(input.checks), pending };
}
