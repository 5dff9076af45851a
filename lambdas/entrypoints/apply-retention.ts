import { createApplyRetention } from '../handlers/apply-retention';
import { lambdaHandler } from '../runtime/lambda-handler';
import { productionDependencies } from './production-dependencies';

export const handler = lambdaHandler(createApplyRetention(productionDependencies()));
