import { StepFunctionsWorkflowStarter } from '../adapters/workflow-starter';
import { createRequestRestore } from '../handlers/request-restore';
import { requiredEnv } from '../runtime/environment';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionKubeConnections } from './wiring/kube-connections';
import { productionRecoveryPointCatalog } from './wiring/recovery-point-catalog';
import { productionTargetCatalog } from './wiring/target-catalog';

export const handler = lambdaHandler(
  createRequestRestore({
    catalog: productionTargetCatalog(),
    kube: productionKubeConnections(),
    now: () => new Date(),
    log: logger,
    starter: new StepFunctionsWorkflowStarter(),
    restoreStateMachineArn: () => requiredEnv('RESTORE_STATE_MACHINE_ARN'),
    recoveryPoints: productionRecoveryPointCatalog(),
    // The stack sets the source Region: its own in the primary, the primary's in the disaster recovery standby.
    regions: () => ({ region: requiredEnv('AWS_REGION'), sourceRegion: requiredEnv('RECOVERY_POINT_SOURCE_REGION') }),
  }),
);
