import { createCheckBackup } from '../handlers/check-backup';
import { lambdaHandler } from '../runtime/lambda-handler';
import { productionDependencies } from './production-dependencies';

export const handler = lambdaHandler(createCheckBackup(productionDependencies()));
