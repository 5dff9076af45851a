import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, SERVICE_NAME, TARGET_DIMENSION, type MetricPoint } from '../domain/scheduler-metrics';
import type { MetricsRecorder } from './metrics-recorder';

/**
 * Writes metrics as CloudWatch embedded metric format lines through Powertools, each published as it is recorded
 * (single metrics), so nothing depends on a flush at the end of the invocation.
 */
export class PowertoolsMetricsRecorder implements MetricsRecorder {
  constructor(private readonly metrics: Metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME })) {}

  record(target: string, points: readonly MetricPoint[]): void {
    for (const point of points) {
      const single = this.metrics.singleMetric();
      single.addDimension(TARGET_DIMENSION, target);
      single.addMetric(point.name, point.unit === 'Seconds' ? MetricUnit.Seconds : MetricUnit.Count, point.value);
    }
  }
}
