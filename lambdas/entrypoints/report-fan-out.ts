import { createReportFanOut } from '../handlers/report-fan-out';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionEventBus } from './wiring/event-bus';

/** Puts one event: this bundle carries no Kubernetes client. */
export const handler = lambdaHandler(createReportFanOut({ events: productionEventBus(), log: logger }));
