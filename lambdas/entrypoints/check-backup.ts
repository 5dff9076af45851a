import { DynamoDbRecoveryPointCatalog } from '../adapters/dynamodb-recovery-point-catalog';
import { Ec2StorageSnapshots } from '../adapters/ec2-storage-snapshots';
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
    storageSnapshots: new Ec2StorageSnapshots(),
    // Lambda sets AWS_REGION: the stack's Region, where its EKS clusters and their EBS snapshots are.
    region: () => requiredEnv('AWS_REGION'),
  }),
);
