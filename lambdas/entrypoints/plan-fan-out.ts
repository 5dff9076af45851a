import { createPlanFanOut } from '../handlers/plan-fan-out';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionTargetCatalog } from './wiring/target-catalog';

/** Reads the target catalog only: this bundle carries no Kubernetes or AWS client. */
export const handler = lambdaHandler(createPlanFanOut({ catalog: productionTargetCatalog(), log: logger }));
