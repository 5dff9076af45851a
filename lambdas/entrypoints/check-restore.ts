import { createCheckRestore } from '../handlers/check-restore';
import { lambdaHandler } from '../runtime/lambda-handler';
import { productionDependencies } from './production-dependencies';

export const handler = lambdaHandler(createCheckRestore(productionDependencies()));
