import type { MetricPoint } from '../domain/scheduler-metrics';

/** Records the scheduler's metrics for one target. */
export interface MetricsRecorder {
  record(target: string, points: readonly MetricPoint[]): void;
}
