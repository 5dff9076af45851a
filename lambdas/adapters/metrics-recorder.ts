import type { MetricPoint } from '../domain/scheduler-metrics';

/**
 * Records the scheduler's metrics. They are fleet-wide, never dimensioned by target, so their number and cost do not
 * grow with the targets; the target a point is about rides along on the same line, for Logs Insights.
 */
export interface MetricsRecorder {
  record(points: readonly MetricPoint[], target?: string): void;
}
