import { Fn, Stack, Token, Validations } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { SchedulerFunction } from './scheduler-function';
import type { SnapshotCopies } from './snapshot-copies';

const XRAY_REASON =
  'X-Ray tracing: xray:PutTraceSegments, xray:PutTelemetryRecords (and GetSampling*) do not support resource-level permissions';
/** EC2 Service Authorization Reference: ec2:DescribeSnapshots has no resource types (and no condition keys for snapshots). */
const EC2_DESCRIBE_SNAPSHOTS_REASON =
  "ec2:DescribeSnapshots does not support resource-level permissions: it reads the encryption, KMS key and existence of the backups' EBS snapshots";
const SFN_LOGS_REASON =
  'Step Functions log delivery: logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies and DescribeLogGroups do not support resource-level permissions';

/** AWS Solutions findings the design accepts, each acknowledged where it arises, with the reason. */
export function acknowledgeNagFindings(props: {
  /** The disaster recovery copies, whose roles reach EC2 and KMS. */
  copies?: SnapshotCopies | undefined;
  stateMachines: ReadonlyArray<{ machine: sfn.StateMachine; invokes: readonly SchedulerFunction[] }>;
  /** State machines with a Distributed Map, which runs child executions of its own state machine. */
  distributedMaps: readonly sfn.StateMachine[];
  functionRoles: readonly iam.IRole[];
  /** The function roles granted ec2:DescribeSnapshots (on `*`: it has no resource-level permissions). */
  describesSnapshots?: readonly iam.IRole[];
  /** The scope holding the EventBridge Scheduler's target role, and the function it invokes (a standby has no schedules). */
  schedules?: { scope: Construct; invokes: SchedulerFunction };
  /** The role of functions placed in a VPC, which CDK gives AWS's managed ENI policy. */
  vpcRole?: iam.IRole | undefined;
  /** Where a grant of DescribeExecution on every execution of a state machine (`<executions ARN>`) was made. */
  describedExecutions: ReadonlyArray<{ scope: Construct; executions: string }>;
}): void {
  for (const { machine, invokes } of props.stateMachines) {
    Validations.of(machine).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: `${XRAY_REASON}; ${SFN_LOGS_REASON}` });
    for (const fn of invokes) acknowledgeVersionsOf(machine, fn, 'The workflow');
  }
  for (const machine of props.distributedMaps) acknowledgeChildExecutionsOf(machine);
  if (props.schedules) acknowledgeVersionsOf(props.schedules.scope, props.schedules.invokes, 'EventBridge Scheduler');
  if (props.vpcRole)
    Validations.of(props.vpcRole).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
      reason: 'Functions in a VPC need ENI permissions; this AWS policy is exactly those (ec2 network-interface actions)',
    });
  for (const { scope, executions } of props.describedExecutions)
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flattenedLikeNag(Stack.of(scope).resolve(executions))}]`,
      reason: 'Execution names are made per slot and request; DescribeExecution is granted on the executions of one state machine',
    });
  const describing = new Set(props.describesSnapshots ?? []);
  for (const role of new Set(props.functionRoles))
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: describing.has(role) ? `${XRAY_REASON}; ${EC2_DESCRIBE_SNAPSHOTS_REASON}` : XRAY_REASON,
    });
  if (props.copies) acknowledgeCopies(props.copies);
}

/**
 * The copy functions' EC2 and KMS grants: snapshot ids are made by CopySnapshot, so the new snapshots can only be named
 * by Region (`snapshot/*`), scoped by the request's and the resource's tags; DescribeSnapshots has no resource-level
 * permissions; the source snapshots' KMS keys are whichever EBS encrypted them under (`key/*` of the account and
 * Region, only through EC2 and only for grants to AWS resources); the KMS actions are the families EBS calls.
 */
function acknowledgeCopies(copies: SnapshotCopies): void {
  const stack = Stack.of(copies);
  const reasons = {
    '*': `${XRAY_REASON}; ${EC2_DESCRIBE_SNAPSHOTS_REASON}`,
    snapshot:
      'CopySnapshot names the new snapshot only once made: the Regions snapshot/*, scoped by our tags (aws:RequestTag, aws:ResourceTag, ec2:CreateAction)',
    key: "The source snapshots' KMS keys are whichever EBS encrypted them under: the account's keys of the Region, only through EC2 (kms:ViaService) and only for grants to AWS resources",
    action:
      'EBS calls ReEncryptFrom/ReEncryptTo and GenerateDataKey/GenerateDataKeyWithoutPlaintext on the keys of an encrypted copy (Amazon EBS User Guide, "Amazon EBS encryption")',
  };
  const where = (value: string) => (Token.isUnresolved(value) ? undefined : value);
  const partition = where(stack.partition) ?? '<AWS::Partition>';
  const region = where(stack.region) ?? '<AWS::Region>';
  const account = where(stack.account) ?? '<AWS::AccountId>';
  const ids: Array<[string, string]> = [
    ['Resource::*', reasons['*']],
    ...[region, ...copies.regions].map((r): [string, string] => [`Resource::arn:${partition}:ec2:${r}::snapshot/*`, reasons.snapshot]),
    [`Resource::arn:${partition}:kms:${region}:${account}:key/*`, reasons.key],
    ['Action::kms:GenerateDataKey*', reasons.action],
    ['Action::kms:ReEncrypt*', reasons.action],
  ];
  for (const fn of Object.values(copies.functions))
    for (const [id, reason] of ids) Validations.of(fn.role!).acknowledge({ id: `AwsSolutions-IAM5[${id}]`, reason });
}

function acknowledgeVersionsOf(scope: Construct, fn: SchedulerFunction, who: string): void {
  const stack = Stack.of(fn);
  const logicalId = stack.resolve(stack.getLogicalId(fn.node.defaultChild as CfnFunction)) as string;
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
    reason: `${who} may invoke ${fn.node.id} only; the :* suffix covers that function's versions and aliases`,
  });
}

/** A resolved ARN as cdk-nag writes it in a finding id: Fn::Join joined, Ref as `<Name>`, any other intrinsic as JSON. */
function flattenedLikeNag(value: unknown): string {
  if (typeof value === 'string') return value;
  const node = value as { 'Fn::Join'?: [string, unknown[]]; Ref?: string };
  if (node['Fn::Join']) return node['Fn::Join'][1].map(flattenedLikeNag).join(node['Fn::Join'][0]);
  if (node.Ref !== undefined) return `<${node.Ref}>`;
  return JSON.stringify(value);
}

/**
 * A Distributed Map describes and stops its child executions, whose names Step Functions picks: CDK grants that on
 * `execution:<this state machine>:*` and `.../*:*`, nothing wider. The id spells the ARN as cdk-nag sees it: CDK writes
 * the partition literally once the region is known (`cdk synth` with a default region), as a reference otherwise.
 */
function acknowledgeChildExecutionsOf(machine: sfn.StateMachine): void {
  const stack = Stack.of(machine);
  const where = (value: string) => (Token.isUnresolved(value) ? undefined : value);
  const partition = where(stack.partition) ?? '<AWS::Partition>';
  const region = where(stack.region) ?? '<AWS::Region>';
  const account = where(stack.account) ?? '<AWS::AccountId>';
  const name = JSON.stringify(stack.resolve(Fn.select(6, Fn.split(':', machine.stateMachineArn))));
  for (const suffix of [':*', '/*:*'])
    Validations.of(machine).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${partition}:states:${region}:${account}:execution:${name}${suffix}]`,
      reason: 'The Distributed Map follows its own child executions (named by Step Functions), of this state machine only',
    });
}
