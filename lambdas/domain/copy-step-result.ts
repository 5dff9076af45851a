import type { CopyFollowState } from './copy-progress';

/** What StartSnapshotCopies and CheckSnapshotCopies answer; the copy workflow's Choice reads `progress.state`. */
export type CopyStepResult =
  | { follow: CopyFollowState; progress: { state: 'waiting'; waitSeconds: number } }
  | { follow: CopyFollowState; progress: { state: 'completed' } }
  | { progress: { state: 'notDue'; reason: string } }
  | { follow: CopyFollowState; progress: { state: 'failed'; reason: string } };
