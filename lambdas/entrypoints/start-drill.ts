import { createStartDrill } from '../handlers/start-drill';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionKubeConnections } from './wiring/kube-connections';
import { productionTargetCatalog } from './wiring/target-catalog';

export const handler = lambdaHandler(
  createStartDrill({ catalog: productionTargetCatalog(), kube: productionKubeConnections(), now: () => new Date(), log: logger }),
);
