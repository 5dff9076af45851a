import { PowertoolsMetricsRecorder } from '../adapters/powertools-metrics-recorder';
import { createApplyRetention } from '../handlers/apply-retention';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionEventBus } from './wiring/event-bus';
import { productionKubeConnections } from './wiring/kube-connections';
import { productionRecoveryPointCatalog } from './wiring/recovery-point-catalog';
import { productionTargetCatalog } from './wiring/target-catalog';

export const handler = lambdaHandler(
  createApplyRetention({
    catalog: productionTargetCatalog(),
    kube: productionKubeConnections(),
    events: productionEventBus(),
    metrics: new PowertoolsMetricsRecorder(),
    now: () => new Date(),
    log: logger,
    recoveryPoints: productionRecoveryPointCatalog(),
  }),
);
