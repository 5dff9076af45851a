import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The environment variable that names the catalog's table to the functions that use it. */
export const RECOVERY_POINT_CATALOG_ENV = 'RECOVERY_POINT_CATALOG_TABLE';
/** The environment variable that tells RequestRestore the Region the catalog's backups were taken in. */
export const RECOVERY_POINT_SOURCE_REGION_ENV = 'RECOVERY_POINT_SOURCE_REGION';

/**
 * The recovery-point catalog: one DynamoDB item per completed backup (partition key the target, sort key the backup),
 * kept outside every EKS cluster so that a backup can be found and restored after its namespace or EKS cluster is
 * gone. Point-in-time recovery and deletion protection are on, and the table outlives the stack (RETAIN): deleting
 * the stack must not delete the only record of the storage snapshots it kept.
 */
export class RecoveryPointCatalog extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'target', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'backup', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** Backup: record a completed backup; retention: read, expire and remove records; restore: read them. */
  grantReadWrite(grantee: iam.IGrantable): void {
    this.table.grant(grantee, 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
  }
}
