import { createCreateRestoreCluster } from '../handlers/create-restore-cluster';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionEventBus } from './wiring/event-bus';
import { productionKubeConnections } from './wiring/kube-connections';

export const handler = lambdaHandler(
  createCreateRestoreCluster({ kube: productionKubeConnections(), events: productionEventBus(), now: () => new Date(), log: logger }),
);
