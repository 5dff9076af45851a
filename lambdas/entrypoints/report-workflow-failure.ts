import { PowertoolsMetricsRecorder } from '../adapters/powertools-metrics-recorder';
import { createReportWorkflowFailure } from '../handlers/report-workflow-failure';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionEventBus } from './wiring/event-bus';
import { productionTargetCatalog } from './wiring/target-catalog';

/** Puts events and metrics only: this bundle carries no Kubernetes client. */
export const handler = lambdaHandler(
  createReportWorkflowFailure({
    catalog: productionTargetCatalog(),
    events: productionEventBus(),
    metrics: new PowertoolsMetricsRecorder(),
    log: logger,
  }),
);
