import type { SchedulerEvent } from '../adapters/event-publisher';
import type { RestoreProgress } from './restore-progress';

export const RestoreEventType = {
  Started: 'Restore Started',
  Completed: 'Restore Completed',
  Failed: 'Restore Failed',
  TimedOut: 'Restore Timed Out',
} as const;

/** What every restore event says about the request. */
export interface RestoreEventContext {
  eksCluster: string;
  namespace: string;
  sourceCluster: string;
  clusterName: string;
  backup: string;
  requestId: string;
  createdAt: string;
}

export function restoreStartedEvent(context: RestoreEventContext): SchedulerEvent {
  return { detailType: RestoreEventType.Started, detail: { ...context } };
}

/** The event that ends a followed restore, or undefined while it is still running. */
export function restoreOutcomeEvent(context: RestoreEventContext, progress: RestoreProgress, detectedAt: Date): SchedulerEvent | undefined {
  switch (progress.state) {
    case 'waiting':
      return undefined;
    case 'ready':
      return {
        detailType: RestoreEventType.Completed,
        detail: {
          ...context,
          readyAt: progress.readyAt,
          rtoSeconds: progress.rtoSeconds,
          detectedAt: detectedAt.toISOString(),
          detectionLagSeconds: progress.detectionLagSeconds,
        },
      };
    case 'failed':
      return { detailType: RestoreEventType.Failed, detail: { ...context, phase: progress.phase, error: progress.reason } };
    case 'timedOut':
      return { detailType: RestoreEventType.TimedOut, detail: { ...context, phase: progress.phase, error: progress.reason } };
  }
}
