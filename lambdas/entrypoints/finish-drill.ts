import { PowertoolsMetricsRecorder } from '../adapters/powertools-metrics-recorder';
import { createFinishDrill } from '../handlers/finish-drill';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionEventBus } from './wiring/event-bus';
import { productionKubeConnections } from './wiring/kube-connections';
import { productionTargetCatalog } from './wiring/target-catalog';

export const handler = lambdaHandler(
  createFinishDrill({
    catalog: productionTargetCatalog(),
    kube: productionKubeConnections(),
    events: productionEventBus(),
    metrics: new PowertoolsMetricsRecorder(),
    now: () => new Date(),
    log: logger,
  }),
);
