import { DynamoDbRecoveryPointCatalog } from '../adapters/dynamodb-recovery-point-catalog';
import { DynamoDbRecoveryPointLedger } from '../adapters/dynamodb-recovery-point-ledger';
import { Ec2StorageSnapshots } from '../adapters/ec2-storage-snapshots';
import { createRecordRecoveryPoint } from '../handlers/record-recovery-point';
import { requiredEnv } from '../runtime/environment';
import { lambdaHandler } from '../runtime/lambda-handler';
import { logger } from '../runtime/logger';

/** The ledger, the catalog and EC2 only: this bundle carries no Kubernetes client. */
export const handler = lambdaHandler(
  createRecordRecoveryPoint({
    ledger: new DynamoDbRecoveryPointLedger(() => requiredEnv('RECOVERY_POINT_TABLE')),
    recoveryPoints: new DynamoDbRecoveryPointCatalog(() => requiredEnv('RECOVERY_POINT_CATALOG_TABLE')),
    storageSnapshots: new Ec2StorageSnapshots(),
    // Lambda sets AWS_REGION: the stack's Region, where its EKS clusters and their EBS snapshots are.
    region: () => requiredEnv('AWS_REGION'),
    now: () => new Date(),
    log: logger,
  }),
);
