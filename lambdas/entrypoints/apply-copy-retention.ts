import { createApplyCopyRetention } from '../handlers/apply-copy-retention';
import { lambdaHandler } from '../runtime/lambda-handler';
import { productionCopyDependencies } from './wiring/copy-dependencies';

export const handler = lambdaHandler(createApplyCopyRetention(productionCopyDependencies()));
