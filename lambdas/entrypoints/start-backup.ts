import { createStartBackup } from '../handlers/start-backup';
import { lambdaHandler } from '../runtime/lambda-handler';
import { productionDependencies } from './production-dependencies';

export const handler = lambdaHandler(createStartBackup(productionDependencies()));
