import type { MetricsRecorder } from '../lambdas/adapters/metrics-recorder';
import type { MetricPoint, SchedulerMetric } from '../lambdas/domain/scheduler-metrics';

/** Keeps every metric point in memory, by target, as CloudWatch would receive them. */
export class RecordingMetrics implements MetricsRecorder {
  readonly points: Array<MetricPoint & { target: string }> = [];

  record(target: string, points: readonly MetricPoint[]): void {
    this.points.push(...points.map((point) => ({ ...point, target })));
  }

  sum(target: string, name: SchedulerMetric): number {
    return this.points.filter((p) => p.target === target && p.name === name).reduce((total, p) => total + p.value, 0);
  }
}
