import { createCreateRestoreCluster } from '../handlers/create-restore-cluster';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionEventBus } from './wiring/event-bus';
import { productionKubeConnections } from './wiring/kube-connections';
import { productionTargetCatalog } from './wiring/target-catalog';

export const handler = lambdaHandler(
  createCreateRestoreCluster({
    catalog: productionTargetCatalog(),
    kube: productionKubeConnections(),
    events: productionEventBus(),
    now: () => new Date(),
    log: logger,
  }),
);
