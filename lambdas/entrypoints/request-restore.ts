import { StepFunctionsWorkflowStarter } from '../adapters/workflow-starter';
import { TargetSpecSchema } from '../domain/target-spec';
import { createRequestRestore } from '../handlers/request-restore';
import { requiredEnv } from '../runtime/environment';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionKubeConnections } from './wiring/kube-connections';

export const handler = lambdaHandler(
  createRequestRestore({
    kube: productionKubeConnections(),
    now: () => new Date(),
    log: logger,
    starter: new StepFunctionsWorkflowStarter(),
    restoreStateMachineArn: () => requiredEnv('RESTORE_STATE_MACHINE_ARN'),
    targets: () => (JSON.parse(requiredEnv('TARGETS')) as unknown[]).map((target) => TargetSpecSchema.parse(target)),
  }),
);
