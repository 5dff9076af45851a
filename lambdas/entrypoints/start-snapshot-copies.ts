import { createStartSnapshotCopies } from '../handlers/start-snapshot-copies';
import { lambdaHandler } from '../runtime/lambda-handler';
import { productionCopyDependencies } from './wiring/copy-dependencies';

export const handler = lambdaHandler(createStartSnapshotCopies(productionCopyDependencies()));
