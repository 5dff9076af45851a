import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ACCOUNT_ID_PATTERN, KMS_KEY_ARN_PATTERN, REGION_PATTERN } from '../lambdas/domain/copy-policy';
import { KubeLabel } from '../lambdas/domain/cnpg-api';
import { MANAGER_NAME } from '../lambdas/domain/scheduler-metadata';

/** The role of a vault account that a scheduler keeps its copies in through `copies.account.roleArn`. */
export interface SnapshotVaultRoleProps {
  /** The scheduler's account (12 digits): its copy functions and reconciliation assume this role. */
  readonly schedulerAccount: string;
  /** The name of the stack the scheduler is in: only that stack's roles (`<name>-*`) may assume this role. */
  readonly schedulerStackName: string;
  /** The scheduler stack's Region, where the source snapshots are. */
  readonly sourceRegion: string;
  /** The Region the copies are kept in (the targets' `copies.region`). */
  readonly copiesRegion: string;
  /** The copies' keys: keys of this account in `copiesRegion` (the targets' `copies.kmsKeyArn`). */
  readonly copiesKeyArns: readonly string[];
  /** The customer managed keys of the scheduler's account the source volumes are encrypted under. */
  readonly sourceKeyArns: readonly string[];
  /**
   * The role's name, which `copies.account.roleArn` names.
   * @default 'cnpg-snapshot-vault'
   */
  readonly roleName?: string;
}

/** Thrown when a SnapshotVaultRole prop is invalid: the message names the prop. */
export class SnapshotVaultRoleError extends Error {
  override readonly name = 'SnapshotVaultRoleError';
}

/** The KMS actions EBS calls on the keys of an encrypted copy (Amazon EBS User Guide, "Amazon EBS encryption"). */
const KMS_ACTIONS = ['kms:CreateGrant', 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'];

/**
 * The role to deploy in a vault account (README, "Copies into another account"): the scheduler's stack roles may
 * assume it; it may copy snapshots into `copiesRegion` only with our managed-by tag (aws:RequestTag), tag only as
 * CopySnapshot creates, describe snapshots (no resource-level permissions), delete only snapshots tagged ours there,
 * and use the copies' and the sources' keys only for grants to AWS resources. The same grants as the scheduler's own
 * copy functions, in the vault account.
 */
export class SnapshotVaultRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SnapshotVaultRoleProps) {
    super(scope, id);
    validate(props);
    const stack = Stack.of(this);
    const snapshotsIn = (region: string) => `arn:${stack.partition}:ec2:${region}::snapshot/*`;
    const copies = snapshotsIn(props.copiesRegion);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName ?? 'cnpg-snapshot-vault',
      description: 'cnpg-snapshot-scheduler: copies of the backups kept in this account',
      assumedBy: new iam.AccountPrincipal(props.schedulerAccount).withConditions({
        ArnLike: { 'aws:PrincipalArn': `arn:${stack.partition}:iam::${props.schedulerAccount}:role/${props.schedulerStackName}-*` },
      }),
    });
    for (const statement of [
      new iam.PolicyStatement({
        actions: ['ec2:CopySnapshot'],
        resources: [copies, snapshotsIn(props.sourceRegion)],
        conditions: { StringEquals: { [`aws:RequestTag/${KubeLabel.ManagedBy}`]: MANAGER_NAME } },
      }),
      new iam.PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: [copies],
        conditions: { StringEquals: { 'ec2:CreateAction': 'CopySnapshot' } },
      }),
      new iam.PolicyStatement({ actions: ['ec2:DescribeSnapshots'], resources: ['*'] }),
      new iam.PolicyStatement({
        actions: ['ec2:DeleteSnapshot'],
        resources: [copies],
        conditions: { StringEquals: { [`aws:ResourceTag/${KubeLabel.ManagedBy}`]: MANAGER_NAME } },
      }),
      new iam.PolicyStatement({
        actions: KMS_ACTIONS,
        resources: [...props.copiesKeyArns, ...props.sourceKeyArns],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
    ])
      this.role.addToPolicy(statement);
  }
}

function validate(props: SnapshotVaultRoleProps): void {
  const fail = (prop: string, message: string): never => {
    throw new SnapshotVaultRoleError(`SnapshotVaultRole ${prop}: ${message}`);
  };
  if (!ACCOUNT_ID_PATTERN.test(props.schedulerAccount)) fail('schedulerAccount', 'must be an AWS account id: 12 digits');
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(props.schedulerStackName))
    fail('schedulerStackName', 'must be a CloudFormation stack name: a letter, then letters, digits and hyphens');
  for (const prop of ['sourceRegion', 'copiesRegion'] as const)
    if (!REGION_PATTERN.test(props[prop])) fail(prop, 'must be an AWS Region name such as us-west-2');
  if (props.copiesKeyArns.length === 0) fail('copiesKeyArns', 'must name at least one key');
  props.copiesKeyArns.forEach((arn, index) => {
    const match = KMS_KEY_ARN_PATTERN.exec(arn);
    if (!match) fail(`copiesKeyArns[${index}]`, 'must be a KMS key ARN (not an alias)');
    else if (match[2] !== props.copiesRegion) fail(`copiesKeyArns[${index}]`, `must be a key in copiesRegion ${props.copiesRegion}`);
  });
  if (props.sourceKeyArns.length === 0)
    fail('sourceKeyArns', 'must name at least one key (a snapshot under the default EBS key cannot be shared)');
  props.sourceKeyArns.forEach((arn, index) => {
    const match = KMS_KEY_ARN_PATTERN.exec(arn);
    if (!match) fail(`sourceKeyArns[${index}]`, 'must be a KMS key ARN (not an alias)');
    else if (match[3] !== props.schedulerAccount)
      fail(`sourceKeyArns[${index}]`, `must be a key of schedulerAccount ${props.schedulerAccount}`);
  });
}
