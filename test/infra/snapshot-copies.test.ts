import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import type { CfnRole } from 'aws-cdk-lib/aws-iam';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeploymentConfigError, parseDeploymentConfig } from '../../lib/deployment-config';
import { SnapshotSchedulerStack } from '../../lib/snapshot-scheduler-stack';
import { ORPHAN_COPY_GRACE_HOURS } from '../../lambdas/domain/orphan-copies';
import type { SynthesizedTemplate } from '../../simulator/workflow-runner/synthesized-scheduler';
import { TEST_ACCOUNT, TEST_REGION, stateMachineDefinition } from '../../simulator/workflow-runner/state-machine-definition';
import { lambdaBundles } from '../global/lambda-bundles';
import { EXAMPLE_TARGET, resourcesOf, synthesize } from './synthesize';

/** The feature flags of cdk.json, which `cdk synth` applies. */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> }).context;

const DR_REGION = 'us-west-2';
const DR_KEY = `arn:aws:kms:${DR_REGION}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const COPIED = { ...EXAMPLE_TARGET, copies: { region: DR_REGION, kmsKeyArn: DR_KEY } };

describe('where copies may go', () => {
  test("a target copying to the stack's own Region fails synth naming the field", () => {
    const ownKey = `arn:aws:kms:${TEST_REGION}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const targets = [{ ...EXAMPLE_TARGET, copies: { region: TEST_REGION, kmsKeyArn: ownKey } }];
    expect(() => synthesize({ targets })).toThrow(DeploymentConfigError);
    expect(() => synthesize({ targets })).toThrow(`targets.0.copies.region: must differ from the stack's Region ${TEST_REGION}`);
  });

  test('so does a policy copying there', () => {
    const ownKey = `arn:aws:kms:${TEST_REGION}:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const config = {
      targets: [EXAMPLE_TARGET],
      policies: { hourly: { copies: { region: TEST_REGION, kmsKeyArn: ownKey } } },
      discovery: [{ eksCluster: 'prod-eks', namespaces: ['team-a'] }],
    };
    expect(() => synthesize(config)).toThrow('policies.hourly.copies.region: must differ');
  });

  test('in a stack whose Region is known only at deployment, a CloudFormation rule refuses the copies Region', () => {
    const { template } = synthesize({ targets: [COPIED] }, {});
    const rules = (template.toJSON() as { Rules?: Record<string, { Assertions: Array<{ Assert: unknown }> }> }).Rules ?? {};
    const assertions = Object.values(rules).flatMap((rule) => rule.Assertions);
    expect(assertions).toContainEqual(
      expect.objectContaining({ Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AWS::Region' }, DR_REGION] }] } }),
    );
  });

  test('a stack in a known Region has no such rule', () => {
    const { template } = synthesize({ targets: [COPIED] });
    const rules = (template.toJSON() as { Rules?: Record<string, unknown> }).Rules ?? {};
    expect(Object.keys(rules).filter((id) => id.includes('CopiesLeaveRegion'))).toEqual([]);
  });
});

/** A template value with its pseudo parameters written as the commercial partition writes them, Fn::Join joined. */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value !== 'object' || value === null) return value;
  const node = value as { 'Fn::Join'?: [string, unknown[]]; Ref?: string };
  if (node.Ref === 'AWS::Partition') return 'aws';
  if (node.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
  if (node['Fn::Join']) return node['Fn::Join'][1].map(plain).join(node['Fn::Join'][0]);
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
}

type Statement = { Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

describe('what the copy functions may do', () => {
  const { template, stack } = synthesize({ targets: [COPIED] });
  const copies = stack.scheduler.copies!;
  const statementsOf = (fn: keyof typeof copies.functions): Statement[] => {
    const roleId = stack.getLogicalId(copies.functions[fn].role!.node.defaultChild as CfnRole);
    return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleId))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  };
  const withAction = (statements: Statement[], action: string) =>
    statements.filter((s) => [s.Action].flat().includes(action)).map((s) => plain(s) as Statement);
  const OURS = { StringEquals: { 'aws:ResourceTag/app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler' } };

  test('StartSnapshotCopies copies into the DR Region from the stack Region, only snapshots tagged ours', () => {
    const [copy, ...others] = withAction(statementsOf('startSnapshotCopies'), 'ec2:CopySnapshot');
    expect(others).toEqual([]);
    expect(copy!.Resource).toEqual([`arn:aws:ec2:${DR_REGION}::snapshot/*`, `arn:aws:ec2:${TEST_REGION}::snapshot/*`]);
    expect(copy!.Condition).toEqual({ StringEquals: { 'aws:RequestTag/app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler' } });
  });

  test('tags only as CopySnapshot creates, and deletes only snapshots tagged ours, in the DR Region', () => {
    const [tags] = withAction(statementsOf('startSnapshotCopies'), 'ec2:CreateTags');
    expect(tags).toMatchObject({
      Resource: `arn:aws:ec2:${DR_REGION}::snapshot/*`,
      Condition: { StringEquals: { 'ec2:CreateAction': 'CopySnapshot' } },
    });
    for (const fn of ['startSnapshotCopies', 'checkSnapshotCopies', 'applyCopyRetention'] as const)
      expect(withAction(statementsOf(fn), 'ec2:DeleteSnapshot')).toEqual([
        expect.objectContaining({ Resource: `arn:aws:ec2:${DR_REGION}::snapshot/*`, Condition: OURS }),
      ]);
  });

  test('uses the DR key and the source keys only through EC2 and for grants to AWS resources', () => {
    const kms = withAction(statementsOf('startSnapshotCopies'), 'kms:CreateGrant');
    expect(kms).toEqual([
      expect.objectContaining({
        Resource: DR_KEY,
        Condition: { StringEquals: { 'kms:ViaService': `ec2.${DR_REGION}.amazonaws.com` }, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
      expect.objectContaining({
        Resource: `arn:aws:kms:${TEST_REGION}:123456789012:key/*`,
        Condition: {
          StringEquals: { 'kms:ViaService': `ec2.${TEST_REGION}.amazonaws.com` },
          Bool: { 'kms:GrantIsForAWSResource': 'true' },
        },
      }),
    ]);
    for (const statement of kms)
      expect([statement.Action].flat().sort()).toEqual(
        ['kms:CreateGrant', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'].sort(),
      );
    for (const fn of ['checkSnapshotCopies', 'applyCopyRetention'] as const) {
      expect(withAction(statementsOf(fn), 'kms:CreateGrant')).toEqual([]);
      expect(withAction(statementsOf(fn), 'ec2:CopySnapshot')).toEqual([]);
    }
  });

  test('the rule on Backup Completed starts the copy workflow only for events asking for a copy to a configured Region', () => {
    const rule = Object.values(resourcesOf(template, 'AWS::Events::Rule')).find((r) =>
      JSON.stringify(r.Properties.EventPattern).includes('copyTo'),
    );
    expect(rule?.Properties.EventPattern).toEqual({
      source: ['cnpg-snapshot-scheduler'],
      'detail-type': ['Backup Completed'],
      detail: { copyTo: { region: [DR_REGION] } },
    });
  });

  test('ApplyCopyRetention and CheckSnapshotCopies may put events on the bus, StartSnapshotCopies not', () => {
    expect(withAction(statementsOf('applyCopyRetention'), 'events:PutEvents')).toHaveLength(1);
    expect(withAction(statementsOf('checkSnapshotCopies'), 'events:PutEvents')).toHaveLength(1);
    expect(withAction(statementsOf('startSnapshotCopies'), 'events:PutEvents')).toEqual([]);
  });

  test("a copy becomes an orphan only long after StartSnapshotCopies's step could still record it, retries and all", () => {
    const machineId = stack.getLogicalId(copies.workflow.stateMachine.node.defaultChild as CfnStateMachine);
    const start = stateMachineDefinition(template.toJSON() as SynthesizedTemplate, machineId).States.StartSnapshotCopies as unknown as {
      TimeoutSeconds: number;
      Retry: Array<{ MaxAttempts: number; MaxDelaySeconds: number }>;
    };
    const retries = start.Retry.reduce((sum, retry) => sum + retry.MaxAttempts, 0);
    const longestDelay = Math.max(...start.Retry.map((retry) => retry.MaxDelaySeconds));
    // Every attempt running to its task timeout, each retry after the longest delay.
    const longestStepSeconds = (retries + 1) * start.TimeoutSeconds + retries * longestDelay;
    expect(longestStepSeconds).toBeGreaterThan(0);
    expect(ORPHAN_COPY_GRACE_HOURS * 3600).toBeGreaterThan(10 * longestStepSeconds);
  });

  test('the copy workflow waits in Wait states, and its timeout outlasts the copies deadline', () => {
    const machineId = stack.getLogicalId(copies.workflow.stateMachine.node.defaultChild as CfnStateMachine);
    const definition = stateMachineDefinition(template.toJSON() as SynthesizedTemplate, machineId);
    expect(definition.States.WaitForCopies).toMatchObject({ Type: 'Wait', SecondsPath: '$.copy.progress.waitSeconds' });
    expect(definition.TimeoutSeconds).toBeGreaterThan(48 * 3600);
  });
});

describe('what the functions may do with copies kept in another account', () => {
  const VAULT = '444455556666';
  const VAULT_ROLE = `arn:aws:iam::${VAULT}:role/cnpg-snapshot-vault`;
  const VAULT_KEY = `arn:aws:kms:${DR_REGION}:${VAULT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
  const vaulted = { ...EXAMPLE_TARGET, copies: { region: DR_REGION, kmsKeyArn: VAULT_KEY, account: { id: VAULT, roleArn: VAULT_ROLE } } };
  const { template, stack } = synthesize({ targets: [vaulted] });
  const statementsOfRole = (role: CfnRole): Statement[] => {
    const roleId = stack.getLogicalId(role);
    return Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((r) => r.Ref === roleId))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .map((statement) => plain(statement) as Statement);
  };
  const copyFunction = (fn: 'startSnapshotCopies' | 'checkSnapshotCopies' | 'applyCopyRetention') =>
    statementsOfRole(stack.scheduler.copies!.functions[fn].role!.node.defaultChild as CfnRole);
  const withAction = (statements: Statement[], action: string) => statements.filter((s) => [s.Action].flat().includes(action));

  test('the copy functions and reconciliation may assume the configured role, and no other', () => {
    const reconcile = statementsOfRole(stack.scheduler.functions.reconcileRecoveryPoints.role!.node.defaultChild as CfnRole);
    for (const statements of [
      copyFunction('startSnapshotCopies'),
      copyFunction('checkSnapshotCopies'),
      copyFunction('applyCopyRetention'),
      reconcile,
    ])
      expect(withAction(statements, 'sts:AssumeRole')).toEqual([expect.objectContaining({ Resource: VAULT_ROLE })]);
  });

  test('StartSnapshotCopies shares and unshares, CheckSnapshotCopies only unshares: snapshots the EBS CSI driver cut, with that account only', () => {
    const csi = { 'aws:ResourceTag/ebs.csi.aws.com/cluster': 'true' };
    const share = (operation: 'Add' | 'Remove') => ({
      Resource: `arn:aws:ec2:${TEST_REGION}::snapshot/*`,
      Condition: { StringEquals: { [`ec2:${operation}/userId`]: [VAULT], ...csi } },
    });
    expect(withAction(copyFunction('startSnapshotCopies'), 'ec2:ModifySnapshotAttribute')).toEqual([
      expect.objectContaining(share('Add')),
      expect.objectContaining(share('Remove')),
    ]);
    expect(withAction(copyFunction('checkSnapshotCopies'), 'ec2:ModifySnapshotAttribute')).toEqual([
      expect.objectContaining(share('Remove')),
    ]);
    expect(withAction(copyFunction('applyCopyRetention'), 'ec2:ModifySnapshotAttribute')).toEqual([]);
  });

  test("the vault account's key is not granted to the scheduler's roles: the role there makes the copy", () => {
    for (const fn of ['startSnapshotCopies', 'checkSnapshotCopies', 'applyCopyRetention'] as const)
      expect(JSON.stringify(copyFunction(fn))).not.toContain(VAULT_KEY);
  });

  test('pass the AWS Solutions checks', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const checked = new SnapshotSchedulerStack(app, 'Test', {
      config: parseDeploymentConfig({ targets: [vaulted] }),
      env: { account: TEST_ACCOUNT, region: TEST_REGION },
    });
    const result = new AwsSolutionsChecks(app).validateScope(checked) as { violations: Array<{ ruleName: string }> };
    expect(result.violations.map((v) => v.ruleName)).toEqual([]);
  });

  test('without an account, no function may assume a role or share a snapshot', () => {
    const { template: own } = synthesize({ targets: [COPIED] });
    const text = JSON.stringify(resourcesOf(own, 'AWS::IAM::Policy'));
    expect(text).not.toContain('sts:AssumeRole');
    expect(text).not.toContain('ec2:ModifySnapshotAttribute');
  });
});

describe('AWS Solutions checks with copies', () => {
  test.each([{ account: TEST_ACCOUNT, region: TEST_REGION }, { region: TEST_REGION }, {}])(
    'find nothing that is not acknowledged with a reason (%j)',
    (env) => {
      const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
      const stack = new SnapshotSchedulerStack(app, 'Test', { config: parseDeploymentConfig({ targets: [COPIED] }), env });
      const result = new AwsSolutionsChecks(app).validateScope(stack) as { violations: Array<{ ruleName: string }> };
      expect(result.violations.map((v) => v.ruleName)).toEqual([]);
    },
  );
});

describe('the copy bundles', () => {
  const { stack } = synthesize({ targets: [COPIED] });
  test.each(Object.keys(stack.scheduler.copies!.functions))('%s carries no Kubernetes client', async (name) => {
    const built = await lambdaBundles();
    const fn = stack.scheduler.copies!.functions[name as keyof NonNullable<typeof stack.scheduler.copies>['functions']];
    const { metafile } = built(fn.entry);
    const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined)!;
    const inputs = Object.entries(output.inputs)
      .filter(([, input]) => input.bytesInOutput > 0)
      .map(([path]) => path);
    expect(inputs.filter((input) => /node_modules\/(@kubernetes|undici|@aws-sdk\/client-eks)\//.test(input))).toEqual([]);
    expect(inputs.some((input) => input.includes('node_modules/@aws-sdk/client-ec2/'))).toBe(true);
  });
});
