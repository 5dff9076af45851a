import { createCreateRestoreCluster } from '../handlers/create-restore-cluster';
import { lambdaHandler } from '../runtime/lambda-handler';
import { productionDependencies } from './production-dependencies';

export const handler = lambdaHandler(createCreateRestoreCluster(productionDependencies()));
