import type { EventPublisher } from '../adapters/event-publisher';
import type { KubeResourcesFactory } from '../adapters/kube-resources';
import type { MetricsRecorder } from '../adapters/metrics-recorder';
import type { TargetCatalog } from '../domain/target-catalog';
import type { Log } from '../runtime/logger';

/** What the workflow handlers need from the outside world; production and tests pass their own. */
export interface WorkflowDependencies {
  /** The deployment's targets (read once per Lambda container). */
  catalog: () => TargetCatalog;
  kube: KubeResourcesFactory;
  events: EventPublisher;
  metrics: MetricsRecorder;
  now: () => Date;
  log: Log;
}
