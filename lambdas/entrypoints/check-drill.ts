import { createCheckDrill } from '../handlers/check-drill';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionKubeConnections } from './wiring/kube-connections';
import { productionTargetCatalog } from './wiring/target-catalog';

export const handler = lambdaHandler(
  createCheckDrill({ catalog: productionTargetCatalog(), kube: productionKubeConnections(), now: () => new Date(), log: logger }),
);
