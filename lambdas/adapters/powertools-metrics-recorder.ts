import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_NAMESPACE, SERVICE_NAME, TARGET_PROPERTY, type MetricPoint } from '../domain/scheduler-metrics';
import type { MetricsRecorder } from './metrics-recorder';

/**
 * Writes metrics as CloudWatch embedded metric format lines through Powertools, each published as it is recorded
 * (single metrics), so nothing depends on a flush at the end of the invocation. The only dimension is Powertools'
 * `service`; the target is metadata: a property of the line that CloudWatch does not turn into a metric.
 */
export class PowertoolsMetricsRecorder implements MetricsRecorder {
  constructor(private readonly metrics: Metrics = new Metrics({ namespace: METRIC_NAMESPACE, serviceName: SERVICE_NAME })) {}

  record(points: readonly MetricPoint[], target?: string): void {
    for (const point of points) {
      const single = this.metrics.singleMetric();
      if (target) single.addMetadata(TARGET_PROPERTY, target);
      single.addMetric(point.name, point.unit === 'Seconds' ? MetricUnit.Seconds : MetricUnit.Count, point.value);
    }
  }
}
