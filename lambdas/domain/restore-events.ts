import { RestoreEventType, type SchedulerEvent } from './scheduler-event';
import type { RestoreProgress } from './restore-progress';
import * as z from './zod-mini';
import { RestoreSummarySchema } from './restore-summary';
import { IsoTimestamp } from './iso-timestamp';
import { SchedulerMetric, type MetricPoint } from './scheduler-metrics';

/**
 * What every restore event says: the request, and what it restores where (the request's answer says the same). It is
 * what the restore workflow carries from CreateRestoreCluster to every CheckRestore. In-flight state, so it is read leniently (unknown fields are dropped): a deploy that adds a field never fails a running restore.
 */
export const RestoreEventContextSchema = z.object({
  ...RestoreSummarySchema.shape,
  target: z.string().check(z.minLength(1)),
  eksCluster: z.string().check(z.minLength(1)),
  sourceCluster: z.string().check(z.minLength(1)),
  requestId: z.string().check(z.minLength(1)),
  createdAt: IsoTimestamp,
});
export type RestoreEventContext = z.infer<typeof RestoreEventContextSchema>;

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

/** The metrics of a finished restore: success with its recovery time, or a failure. */
export function restoreOutcomeMetrics(progress: RestoreProgress): MetricPoint[] {
  switch (progress.state) {
    case 'waiting':
      return [];
    case 'ready':
      return [
        { name: SchedulerMetric.RestoreSucceeded, value: 1, unit: 'Count' },
        { name: SchedulerMetric.RestoreRtoSeconds, value: progress.rtoSeconds, unit: 'Seconds' },
      ];
    case 'failed':
    case 'timedOut':
      return [{ name: SchedulerMetric.RestoreFailed, value: 1, unit: 'Count' }];
  }
}
