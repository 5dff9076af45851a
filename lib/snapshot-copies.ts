import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { CopyPolicy } from '../lambdas/domain/copy-policy';
import { COPY_TO_FIELD } from '../lambdas/domain/copy-workflow-input';
import { KubeLabel } from '../lambdas/domain/cnpg-api';
import { BackupEventType, EVENT_SOURCE } from '../lambdas/domain/scheduler-event';
import { MANAGER_NAME } from '../lambdas/domain/scheduler-metadata';
import { CopyWorkflow } from './copy-workflow';
import { RECOVERY_POINT_CATALOG_ENV } from './recovery-point-catalog';
import { SchedulerFunction } from './scheduler-function';

export type SnapshotCopiesFunctionName = 'startSnapshotCopies' | 'checkSnapshotCopies' | 'applyCopyRetention';

export interface SnapshotCopiesProps {
  /** Every copy policy of the deployment (targets' and policies'): their Regions and KMS keys are what IAM allows. */
  readonly policies: readonly CopyPolicy[];
  readonly catalogTable: dynamodb.ITable;
  readonly eventBus: events.IEventBus;
  readonly reportFailure: lambda.IFunction;
  readonly layers: lambda.ILayerVersion[];
  readonly logRetention: logs.RetentionDays;
  readonly sourceMaps: boolean;
}

/**
 * The tag the EBS CSI driver puts on every snapshot it cuts, value `true` (aws-ebs-csi-driver pkg/cloud/cloud.go,
 * AwsEbsDriverTagKey: "the tag to identify if a volume/snapshot is managed by ebs csi driver").
 */
const EBS_CSI_DRIVER_TAG = 'ebs.csi.aws.com/cluster';

/** The AWS-only functions: 128 MB, as the scheduler's other AWS-only functions. */
const MEMORY_MB = 128;

/**
 * Disaster recovery copies: the copy workflow, started by a rule on `Backup Completed` events that ask for a copy
 * (only targets with copies do: one without costs no execution), its two functions and ApplyCopyRetention, each with
 * a role of its own allowing exactly its EC2, KMS and catalog calls.
 *
 * IAM, from the Service Authorization Reference ("Actions, resources, and condition keys for Amazon EC2": CopySnapshot
 * authorizes on the source and on the new snapshot, `arn:<partition>:ec2:<region>::snapshot/*`; CreateTags with
 * `ec2:CreateAction` limited to the creating call; DescribeSnapshots has no resource-level permissions) and the Amazon
 * EBS User Guide ("Amazon EBS encryption", permissions for KMS keys: a copy encrypted under a customer managed key
 * needs kms:CreateGrant with kms:GrantIsForAWSResource, Encrypt, Decrypt, ReEncrypt*, GenerateDataKey* and
 * DescribeKey, on the destination key and on the source snapshot's key, both only through EC2: kms:ViaService).
 */
export class SnapshotCopies extends Construct {
  readonly workflow: CopyWorkflow;
  readonly functions: Readonly<Record<SnapshotCopiesFunctionName, SchedulerFunction>>;
  readonly rule: events.Rule;
  /** The DR Regions copied to. */
  readonly regions: readonly string[];
  /** The roles of other accounts copies are kept in, which the copy functions may assume. */
  readonly vaultRoleArns: readonly string[];

  constructor(scope: Construct, id: string, props: SnapshotCopiesProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const environment = { EVENT_BUS_NAME: props.eventBus.eventBusName, [RECOVERY_POINT_CATALOG_ENV]: props.catalogTable.tableName };
    const fn = (fnId: string, handler: string, description: string, timeout?: Duration) =>
      new SchedulerFunction(this, fnId, {
        handler,
        description,
        layers: props.layers,
        environment,
        memoryMb: MEMORY_MB,
        logRetention: props.logRetention,
        sourceMaps: props.sourceMaps,
        ...(timeout && { timeout }),
      });
    const startCopies = fn(
      'StartSnapshotCopies',
      'start-snapshot-copies',
      'Copies the EBS snapshots of a completed backup to its DR Region when due',
    );
    const checkCopies = fn(
      'CheckSnapshotCopies',
      'check-snapshot-copies',
      "Follows a backup's copies in the DR Region to completed or failed",
    );
    const applyCopyRetention = fn(
      'ApplyCopyRetention',
      'apply-copy-retention',
      "Deletes a target's DR copies past their keepDays, and those no record knows, in their Region",
      Duration.minutes(2),
    );
    this.functions = { startSnapshotCopies: startCopies, checkSnapshotCopies: checkCopies, applyCopyRetention };

    const regions = [...new Set(props.policies.map((p) => p.region))].sort();
    this.regions = regions;
    const snapshotsIn = (region: string) => `arn:${stack.partition}:ec2:${region}::snapshot/*`;
    const copies = regions.map(snapshotsIn);
    const ours = { StringEquals: { [`aws:ResourceTag/${KubeLabel.ManagedBy}`]: MANAGER_NAME } };
    const describe = new iam.PolicyStatement({ actions: ['ec2:DescribeSnapshots'], resources: ['*'] });
    const deleteOurs = new iam.PolicyStatement({ actions: ['ec2:DeleteSnapshot'], resources: copies, conditions: ours });
    const kmsActions = ['kms:CreateGrant', 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
    const viaEc2 = (region: string) => ({ 'kms:ViaService': `ec2.${region}.${stack.urlSuffix}` });

    for (const statement of [
      // The new snapshot in the DR Region and the source in the stack's: CopySnapshot authorizes on both; every copy
      // carries our marks (aws:RequestTag), which is what DeleteSnapshot is scoped by.
      new iam.PolicyStatement({
        actions: ['ec2:CopySnapshot'],
        resources: [...copies, snapshotsIn(stack.region)],
        conditions: { StringEquals: { [`aws:RequestTag/${KubeLabel.ManagedBy}`]: MANAGER_NAME } },
      }),
      new iam.PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: copies,
        conditions: { StringEquals: { 'ec2:CreateAction': 'CopySnapshot' } },
      }),
      // The DR keys, by ARN, each only through EC2 in its Region; grants only for AWS resources (EBS holds one per copy).
      // A key of another account's copies is that account's role's to use (it makes the copy), not ours.
      ...props.policies
        .filter((p, index, all) => p.account === undefined && all.findIndex((q) => q.kmsKeyArn === p.kmsKeyArn) === index)
        .map(
          (p) =>
            new iam.PolicyStatement({
              actions: kmsActions,
              resources: [p.kmsKeyArn],
              conditions: { StringEquals: viaEc2(p.region), Bool: { 'kms:GrantIsForAWSResource': 'true' } },
            }),
        ),
      // The source snapshots' keys (the account's, under whatever key EBS encrypted them), only through EC2 here.
      new iam.PolicyStatement({
        actions: kmsActions,
        resources: [stack.formatArn({ service: 'kms', resource: 'key', resourceName: '*' })],
        conditions: { StringEquals: viaEc2(stack.region), Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
      // A copy started by a run that cannot record it is deleted again.
      deleteOurs,
    ])
      startCopies.addToRolePolicy(statement);
    for (const statement of [describe, deleteOurs]) checkCopies.addToRolePolicy(statement);
    for (const statement of [describe, deleteOurs]) applyCopyRetention.addToRolePolicy(statement);

    // Copies kept in another account: its role, by ARN, for all three (copy, follow, expire there); the shares of the
    // source snapshots with that account, made by StartSnapshotCopies (and taken back on a failed start) and taken back by
    // CheckSnapshotCopies, only on snapshots the EBS CSI driver cut and only with the configured accounts (ec2:Add/userId,
    // ec2:Remove/userId: Service Authorization Reference, Amazon EC2, ModifySnapshotAttribute).
    const vaultAccounts = props.policies.flatMap((p) => (p.account ? [p.account] : []));
    this.vaultRoleArns = [...new Set(vaultAccounts.map((a) => a.roleArn))].sort();
    if (vaultAccounts.length > 0) {
      const accountIds = [...new Set(vaultAccounts.map((a) => a.id))].sort();
      const assume = new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [...this.vaultRoleArns] });
      const share = (operation: 'Add' | 'Remove') =>
        new iam.PolicyStatement({
          actions: ['ec2:ModifySnapshotAttribute'],
          resources: [snapshotsIn(stack.region)],
          conditions: {
            StringEquals: { [`ec2:${operation}/userId`]: accountIds, [`aws:ResourceTag/${EBS_CSI_DRIVER_TAG}`]: 'true' },
          },
        });
      for (const statement of [assume, share('Add'), share('Remove')]) startCopies.addToRolePolicy(statement);
      for (const statement of [assume, share('Remove')]) checkCopies.addToRolePolicy(statement);
      applyCopyRetention.addToRolePolicy(assume);
    }
    props.catalogTable.grant(startCopies, 'dynamodb:Query', 'dynamodb:UpdateItem');
    props.catalogTable.grant(checkCopies, 'dynamodb:GetItem', 'dynamodb:UpdateItem');
    props.catalogTable.grant(applyCopyRetention, 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem');
    props.eventBus.grantPutEventsTo(checkCopies);
    // Orphan Copy Deleted, for each copy no record knew that it deletes.
    props.eventBus.grantPutEventsTo(applyCopyRetention);

    this.workflow = new CopyWorkflow(this, 'Workflow', {
      startCopies,
      checkCopies,
      reportFailure: props.reportFailure,
      logRetention: props.logRetention,
    });
    this.rule = new events.Rule(this, 'CopyCompletedBackups', {
      description: 'cnpg-snapshot-scheduler: each completed backup of a target with copies to the copy workflow',
      eventBus: props.eventBus,
      eventPattern: {
        source: [EVENT_SOURCE],
        detailType: [BackupEventType.Completed],
        detail: { [COPY_TO_FIELD]: { region: regions } },
      },
      targets: [
        new eventTargets.SfnStateMachine(this.workflow.stateMachine, {
          input: events.RuleTargetInput.fromObject({
            target: events.EventField.fromPath(`$.detail.${COPY_TO_FIELD}.target`),
            backup: events.EventField.fromPath('$.detail.backup'),
          }),
        }),
      ],
    });
  }
}
