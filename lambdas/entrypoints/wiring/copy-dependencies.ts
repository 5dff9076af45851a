import { DynamoDbRecoveryPointCatalog } from '../../adapters/dynamodb-recovery-point-catalog';
import { assumedRoleStorageSnapshots } from '../../adapters/assumed-role-storage-snapshots';
import { Ec2StorageSnapshots } from '../../adapters/ec2-storage-snapshots';
import { PowertoolsMetricsRecorder } from '../../adapters/powertools-metrics-recorder';
import type { CopyDependencies } from '../../handlers/copy-dependencies';
import { requiredEnv } from '../../runtime/environment';
import { logger } from '../../runtime/logger';
import { productionEventBus } from './event-bus';
import { productionTargetCatalog } from './target-catalog';

/**
 * What the copy functions (StartSnapshotCopies, CheckSnapshotCopies, ApplyCopyRetention) run on in AWS: the catalog,
 * EC2 in the stack's and the DR Regions, EventBridge. AWS only: their bundles carry no Kubernetes client.
 */
export function productionCopyDependencies(): CopyDependencies {
  return {
    catalog: productionTargetCatalog(),
    recoveryPoints: new DynamoDbRecoveryPointCatalog(() => requiredEnv('RECOVERY_POINT_CATALOG_TABLE')),
    storageSnapshots: new Ec2StorageSnapshots(),
    accountSnapshots: assumedRoleStorageSnapshots(),
    events: productionEventBus(),
    metrics: new PowertoolsMetricsRecorder(),
    now: () => new Date(),
    log: logger,
    // Lambda sets AWS_REGION: the stack's Region, where the backups' own EBS snapshots are.
    region: () => requiredEnv('AWS_REGION'),
    catalogName: () => requiredEnv('RECOVERY_POINT_CATALOG_TABLE'),
  };
}
