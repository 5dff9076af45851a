import { StepFunctionsWorkflowStarter } from '../adapters/workflow-starter';
import { createDispatchSchedule } from '../handlers/dispatch-schedule';
import { requiredEnv } from '../runtime/environment';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';

const starter = new StepFunctionsWorkflowStarter();

export const handler = lambdaHandler(
  createDispatchSchedule({
    starter,
    stateMachineArn: (workflow) => requiredEnv(`${workflow.toUpperCase()}_FAN_OUT_ARN`),
    log: logger,
  }),
);
