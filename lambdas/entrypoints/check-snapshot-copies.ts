import { createCheckSnapshotCopies } from '../handlers/check-snapshot-copies';
import { lambdaHandler } from '../runtime/lambda-handler';
import { productionCopyDependencies } from './wiring/copy-dependencies';

export const handler = lambdaHandler(createCheckSnapshotCopies(productionCopyDependencies()));
