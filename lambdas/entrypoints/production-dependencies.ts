import type { EventPublisher } from '../adapters/event-publisher';
import { EventBridgeEventPublisher } from '../adapters/eventbridge-event-publisher';
import type { KubeResourcesFactory } from '../adapters/kube-resources';
import { createKubeResourcesFactory } from '../adapters/kube-resources-factory';
import { PowertoolsMetricsRecorder } from '../adapters/powertools-metrics-recorder';
import type { WorkflowDependencies } from '../handlers/workflow-dependencies';
import { requiredEnv } from '../runtime/environment';
import { logger } from '../runtime/logger';

/** The real adapters, built on first use so that importing a handler reads no environment. */
export function productionDependencies(): WorkflowDependencies {
  let kube: KubeResourcesFactory | undefined;
  let events: EventPublisher | undefined;
  return {
    kube: (target) => (kube ??= createKubeResourcesFactory({ region: requiredEnv('AWS_REGION') }))(target),
    events: {
      publish: (batch) => (events ??= new EventBridgeEventPublisher(requiredEnv('EVENT_BUS_NAME'))).publish(batch),
    },
    metrics: new PowertoolsMetricsRecorder(),
    now: () => new Date(),
    log: logger,
  };
}
