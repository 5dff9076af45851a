import type { MetricsRecorder } from '../lambdas/adapters/metrics-recorder';
import type { MetricPoint, SchedulerMetric } from '../lambdas/domain/scheduler-metrics';

/** Keeps every metric point in memory with the target it is about (none for fleet-wide points such as the audit's). */
export class RecordingMetrics implements MetricsRecorder {
  readonly points: Array<MetricPoint & { target?: string }> = [];

  record(points: readonly MetricPoint[], target?: string): void {
    this.points.push(...points.map((point) => ({ ...point, ...(target && { target }) })));
  }

  sum(target: string, name: SchedulerMetric): number {
    return this.points.filter((p) => p.target === target && p.name === name).reduce((total, p) => total + p.value, 0);
  }
}
