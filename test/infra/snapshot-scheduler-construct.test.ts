import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DeploymentConfigError } from '../../lib/deployment-config';
import { SnapshotScheduler, type SnapshotSchedulerProps } from '../../lib/snapshot-scheduler';
import { TEST_ACCOUNT, TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';
import { resourcesOf } from './synthesize';

/** SnapshotScheduler as a CDK user embeds it in a stack of their own, with props written by hand. */

const ORDERS = { name: 'orders', eksCluster: 'prod-eks', namespace: 'shop', cluster: 'orders' };

/** The smallest props a user writes: one target by its coordinates, every other field defaulted. */
const MINIMAL: SnapshotSchedulerProps = { config: { targets: [ORDERS] } };

function userStack() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return new Stack(app, 'Platform', { env: { account: TEST_ACCOUNT, region: TEST_REGION } });
}

describe('SnapshotScheduler in a stack of its own', () => {
  test('two schedulers in one stack synthesize, and no two alarms share a name', () => {
    const stack = userStack();
    new SnapshotScheduler(stack, 'Orders', MINIMAL);
    new SnapshotScheduler(stack, 'Billing', {
      config: { targets: [{ name: 'billing', eksCluster: 'prod-eks', namespace: 'billing', cluster: 'ledger' }] },
    });
    const names = Object.values(resourcesOf(Template.fromStack(stack), 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmName as string,
    );
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((name) => name.startsWith('Platform/Orders ')).length).toBe(names.length / 2);
    expect(names.filter((name) => name.startsWith('Platform/Billing ')).length).toBe(names.length / 2);
  });

  test('alarm names start with the prefix given', () => {
    const stack = userStack();
    new SnapshotScheduler(stack, 'Dr', { ...MINIMAL, alarmNamePrefix: 'shop-dr' });
    const names = Object.values(resourcesOf(Template.fromStack(stack), 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmName as string,
    );
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name).toMatch(/^shop-dr /);
  });

  test('the construct makes no stack outputs: those belong to the stack that embeds it', () => {
    const stack = userStack();
    new SnapshotScheduler(stack, 'Dr', MINIMAL);
    expect(Template.fromStack(stack).findOutputs('*')).toEqual({});
  });

  test.each([
    ['a bad field of the config', { config: { targets: [{ ...ORDERS, schedule: 'hourly' }] } }, /props\.config[\s\S]*targets\.0\.schedule/],
    ['a config without targets', { config: { targets: [] } }, /props\.config[\s\S]*targets: must list at least one target/],
    ['an empty alarm name prefix', { ...MINIMAL, alarmNamePrefix: ' ' }, /alarmNamePrefix: must be 1 to 200 characters/],
    ['a prefix too long for CloudWatch', { ...MINIMAL, alarmNamePrefix: 'x'.repeat(201) }, /alarmNamePrefix/],
  ])('%s throws an error naming the prop, and adds nothing to the stack', (_what, props, message) => {
    const stack = userStack();
    const before = stack.node.children.length;
    expect(() => new SnapshotScheduler(stack, 'Dr', props as SnapshotSchedulerProps)).toThrow(DeploymentConfigError);
    expect(() => new SnapshotScheduler(stack, 'Dr', props as SnapshotSchedulerProps)).toThrow(message);
    expect(stack.node.children.length).toBe(before);
  });

  test('grants: requesting a restore invokes RequestRestore; starting a backup or a drill starts that workflow only', () => {
    const stack = userStack();
    const scheduler = new SnapshotScheduler(stack, 'Dr', MINIMAL);
    const operators = new iam.Role(stack, 'Operators', { assumedBy: new iam.AccountRootPrincipal() });
    scheduler.grantRequestRestore(operators);
    scheduler.grantStartBackup(operators);
    scheduler.grantStartDrill(operators);
    const template = Template.fromStack(stack);
    const policy = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p.Properties.Roles).includes(stack.getLogicalId(operators.node.defaultChild as iam.CfnRole)),
    )!;
    const statements = (policy.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> })
      .Statement;
    const resolve = (value: unknown) => JSON.stringify(stack.resolve(value));
    const granted = statements.map((s) => ({ actions: [s.Action].flat(), resource: JSON.stringify(s.Resource) }));
    expect(granted).toEqual(
      expect.arrayContaining([
        {
          actions: ['lambda:InvokeFunction'],
          resource: expect.stringContaining(resolve(scheduler.functions.requestRestore.functionArn)) as string,
        },
        { actions: ['states:StartExecution'], resource: resolve(scheduler.backupWorkflow.stateMachine.stateMachineArn) },
        { actions: ['states:StartExecution'], resource: resolve(scheduler.drillWorkflow.stateMachine.stateMachineArn) },
      ]),
    );
    expect(granted.flatMap((g) => g.actions).sort()).toEqual(['lambda:InvokeFunction', 'states:StartExecution', 'states:StartExecution']);
  });

  test("grantCliOperations grants each call of the CLI's --stack mode, on this scheduler's resources only", () => {
    const stack = userStack();
    const scheduler = new SnapshotScheduler(stack, 'Dr', MINIMAL);
    const sre = new iam.Role(stack, 'Sre', { assumedBy: new iam.AccountRootPrincipal() });
    scheduler.grantCliOperations(sre);
    const template = Template.fromStack(stack);
    const policy = Object.values(resourcesOf(template, 'AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p.Properties.Roles).includes(stack.getLogicalId(sre.node.defaultChild as iam.CfnRole)),
    )!;
    const statements = (policy.Properties.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> })
      .Statement;
    const granted = new Map(statements.flatMap((s) => [s.Action].flat().map((action) => [action, JSON.stringify(s.Resource)])));
    // Every call cli/stack-operations.ts and cli/stack-outputs.ts make, and nothing else.
    expect([...granted.keys()].sort()).toEqual([
      'cloudformation:DescribeStacks',
      'dynamodb:Scan',
      'lambda:InvokeFunction',
      'states:DescribeExecution',
      'states:GetExecutionHistory',
      'states:StartExecution',
    ]);
    const resolve = (value: unknown) => JSON.stringify(stack.resolve(value)).slice(1, -1);
    expect(granted.get('dynamodb:Scan')).toContain(resolve(scheduler.monitoring.ledger.tableArn));
    expect(granted.get('cloudformation:DescribeStacks')).toContain(`stack/${stack.stackName}/*`);
    expect(granted.get('states:GetExecutionHistory')).toContain(':execution:');
    expect(JSON.stringify(statements)).not.toContain('"*"');
  });

  test('metricFailedExecutions watches the named workflow', () => {
    const stack = userStack();
    const scheduler = new SnapshotScheduler(stack, 'Dr', MINIMAL);
    const metric = scheduler.metricFailedExecutions('restore');
    expect(metric.metricName).toBe('ExecutionsFailed');
    expect(metric.namespace).toBe('AWS/States');
    expect(stack.resolve(metric.dimensions?.StateMachineArn)).toEqual(
      stack.resolve(scheduler.restoreWorkflow.stateMachine.stateMachineArn),
    );
  });
});
