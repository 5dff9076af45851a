import { DynamoDbRecoveryPointCatalog } from '../adapters/dynamodb-recovery-point-catalog';
import { Ec2StorageSnapshots } from '../adapters/ec2-storage-snapshots';
import { PowertoolsMetricsRecorder } from '../adapters/powertools-metrics-recorder';
import { createApplyCopyRetention } from '../handlers/apply-copy-retention';
import { requiredEnv } from '../runtime/environment';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionEventBus } from './wiring/event-bus';
import { productionTargetCatalog } from './wiring/target-catalog';

/** AWS only (the catalog, EC2 in the stack's and the DR Regions, EventBridge): this bundle carries no Kubernetes client. */
export const handler = lambdaHandler(
  createApplyCopyRetention({
    catalog: productionTargetCatalog(),
    recoveryPoints: new DynamoDbRecoveryPointCatalog(() => requiredEnv('RECOVERY_POINT_CATALOG_TABLE')),
    storageSnapshots: new Ec2StorageSnapshots(),
    events: productionEventBus(),
    metrics: new PowertoolsMetricsRecorder(),
    now: () => new Date(),
    log: logger,
    region: () => requiredEnv('AWS_REGION'),
  }),
);
