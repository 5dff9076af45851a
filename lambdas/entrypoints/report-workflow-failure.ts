import { createReportWorkflowFailure } from '../handlers/report-workflow-failure';
import { lambdaHandler } from '../runtime/lambda-handler';
import { productionDependencies } from './production-dependencies';

export const handler = lambdaHandler(createReportWorkflowFailure(productionDependencies()));
