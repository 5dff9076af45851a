import { DynamoDbRecoveryPointCatalog } from '../adapters/dynamodb-recovery-point-catalog';
import { assumedRoleStorageSnapshots } from '../adapters/assumed-role-storage-snapshots';
import { Ec2StorageSnapshots } from '../adapters/ec2-storage-snapshots';
import { createReconcileRecoveryPoints } from '../handlers/reconcile-recovery-points';
import { requiredEnv } from '../runtime/environment';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';
import { productionEventBus } from './wiring/event-bus';
import { productionTargetCatalog } from './wiring/target-catalog';

/** The catalog, EC2 and events only: this bundle carries no Kubernetes client. */
export const handler = lambdaHandler(
  createReconcileRecoveryPoints({
    catalog: productionTargetCatalog(),
    recoveryPoints: new DynamoDbRecoveryPointCatalog(() => requiredEnv('RECOVERY_POINT_CATALOG_TABLE')),
    storageSnapshots: new Ec2StorageSnapshots(),
    accountSnapshots: assumedRoleStorageSnapshots(),
    // Lambda sets AWS_REGION: the stack's Region, where the backups' own EBS snapshots are.
    region: () => requiredEnv('AWS_REGION'),
    events: productionEventBus(),
    now: () => new Date(),
    log: logger,
  }),
);
