import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The environment variable that names the catalog's table to the functions that use it. */
export const RECOVERY_POINT_CATALOG_ENV = 'RECOVERY_POINT_CATALOG_TABLE';
/** The environment variable that tells RequestRestore the Region the catalog's backups were taken in. */
export const RECOVERY_POINT_SOURCE_REGION_ENV = 'RECOVERY_POINT_SOURCE_REGION';

export interface RecoveryPointCatalogProps {
  /**
   * The disaster recovery Region: the table becomes a DynamoDB global table with a replica there, which the standby
   * reads after this Region is lost.
   * @default none: a table in this Region only
   */
  readonly replicaRegion?: string;
}

/**
 * The recovery-point catalog: one DynamoDB item per completed backup (partition key the target, sort key the backup),
 * kept outside every EKS cluster so that a backup can be found and restored after its namespace or EKS cluster is
 * gone. Point-in-time recovery and deletion protection are on, and the table outlives the stack (RETAIN): deleting
 * the stack must not delete the only record of the storage snapshots it kept. With a replica Region it is a global
 * table (AWS::DynamoDB::GlobalTable, one resource for every replica), and the replica has both settings too.
 */
export class RecoveryPointCatalog extends Construct {
  readonly table: dynamodb.ITable;

  constructor(scope: Construct, id: string, props: RecoveryPointCatalogProps = {}) {
    super(scope, id);
    const keys = {
      partitionKey: { name: 'target', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'backup', type: dynamodb.AttributeType.STRING },
    };
    const pointInTimeRecoverySpecification = { pointInTimeRecoveryEnabled: true };
    this.table =
      props.replicaRegion === undefined
        ? new dynamodb.Table(this, 'Table', {
            ...keys,
            billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
            pointInTimeRecoverySpecification,
            deletionProtection: true,
            removalPolicy: RemovalPolicy.RETAIN,
          })
        : new dynamodb.TableV2(this, 'GlobalTable', {
            ...keys,
            billing: dynamodb.Billing.onDemand(),
            pointInTimeRecoverySpecification,
            deletionProtection: true,
            removalPolicy: RemovalPolicy.RETAIN,
            replicas: [{ region: props.replicaRegion, pointInTimeRecoverySpecification, deletionProtection: true }],
          });
  }

  /**
   * The recorder of completed backups: read a backup's record, add its storage's encryption as EC2 describes it, and
   * expire or remove a record whose storage EC2 does not have.
   */
  grantDescribeStorage(grantee: iam.IGrantable): void {
    this.table.grant(grantee, 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
  }

  /**
   * Backup: record a completed backup; retention: read (all of a target's records, or after a backup those of what it
   * deletes, one by one), expire and remove records; restore: read them.
   */
  grantReadWrite(grantee: iam.IGrantable): void {
    this.table.grant(grantee, 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
  }

  /** The reconciliation: read a target's records, expire those whose storage is gone and drop their lost copies. */
  grantReconcile(grantee: iam.IGrantable): void {
    this.table.grant(grantee, 'dynamodb:Query', 'dynamodb:UpdateItem');
  }
}
