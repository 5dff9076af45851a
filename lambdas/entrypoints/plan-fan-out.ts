import { createPlanFanOut } from '../handlers/plan-fan-out';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionKubeConnections } from './wiring/kube-connections';
import { productionTargetCatalog } from './wiring/target-catalog';

/** Reads the target catalog and lists the labelled Clusters of each EKS cluster under discovery. */
export const handler = lambdaHandler(
  createPlanFanOut({ catalog: productionTargetCatalog(), kube: productionKubeConnections(), log: logger }),
);
