import { DynamoDbRecoveryPointCatalog } from '../adapters/dynamodb-recovery-point-catalog';
import { PowertoolsMetricsRecorder } from '../adapters/powertools-metrics-recorder';
import { createCheckBackup } from '../handlers/check-backup';
import { requiredEnv } from '../runtime/environment';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionEventBus } from './wiring/event-bus';
import { productionKubeConnections } from './wiring/kube-connections';
import { productionTargetCatalog } from './wiring/target-catalog';

export const handler = lambdaHandler(
  createCheckBackup({
    catalog: productionTargetCatalog(),
    kube: productionKubeConnections(),
    events: productionEventBus(),
    metrics: new PowertoolsMetricsRecorder(),
    now: () => new Date(),
    log: logger,
    recoveryPoints: new DynamoDbRecoveryPointCatalog(() => requiredEnv('RECOVERY_POINT_CATALOG_TABLE')),
  }),
);
