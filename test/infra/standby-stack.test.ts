import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Template } from 'aws-cdk-lib/assertions';
import { clusterManifests } from '../../lib/kubernetes-manifests';
import { parseDeploymentConfig, type DeploymentConfigInput } from '../../lib/deployment-config';
import { SnapshotSchedulerStack } from '../../lib/snapshot-scheduler-stack';
import { SnapshotSchedulerStandbyStack } from '../../lib/snapshot-scheduler-standby-stack';
import { TEST_ACCOUNT, TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';
import { EXAMPLE_TARGET, resourcesOf } from './synthesize';

/** The disaster recovery standby: what a restore in the DR Region needs, and nothing that backs up or deletes. */

const DR_REGION = 'eu-central-1';
const CONFIG: DeploymentConfigInput = {
  targets: [EXAMPLE_TARGET],
  disasterRecovery: { region: DR_REGION, eksClusters: [{ name: 'dr-eks', namespaces: ['demo', 'payments'] }] },
};

/** The feature flags of cdk.json, which `cdk synth` applies. */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> }).context;

function synthesizeBoth(config: DeploymentConfigInput = CONFIG) {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const primary = new SnapshotSchedulerStack(app, 'Primary', { config, env: { account: TEST_ACCOUNT, region: TEST_REGION } });
  const standby = new SnapshotSchedulerStandbyStack(app, 'Standby', {
    config,
    sourceRegion: TEST_REGION,
    catalogTableName: primary.scheduler.recoveryPoints.table.tableName,
    env: { account: TEST_ACCOUNT, region: DR_REGION },
  });
  return { primary, standby, primaryTemplate: Template.fromStack(primary), template: Template.fromStack(standby) };
}

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
const statementsOf = (template: Template) =>
  Object.values(resourcesOf(template, 'AWS::IAM::Policy')).flatMap(
    (policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
  );
const actionsOf = (template: Template) => [...new Set(statementsOf(template).flatMap((s) => [s.Action].flat()))].sort();

describe('the catalog with a disaster recovery Region', () => {
  const { primary, primaryTemplate } = synthesizeBoth();

  test('is one global table with a replica in the DR Region, both with point-in-time recovery and deletion protection, retained', () => {
    // The one table left is the recovery point ledger's (monitoring), which a restore does not need.
    expect(Object.keys(resourcesOf(primaryTemplate, 'AWS::DynamoDB::Table'))).toEqual([
      primary.getLogicalId(primary.scheduler.monitoring.ledger.node.defaultChild as never),
    ]);
    const tables = primaryTemplate.findResources('AWS::DynamoDB::GlobalTable') as Record<
      string,
      { Properties: { Replicas: Array<{ Region: string }>; TableName: unknown }; DeletionPolicy: string }
    >;
    const [table] = Object.values(tables);
    expect(Object.keys(tables)).toHaveLength(1);
    expect(table!.DeletionPolicy).toBe('Retain');
    const replicas = Object.fromEntries(table!.Properties.Replicas.map((r) => [r.Region, r]));
    for (const region of [TEST_REGION, DR_REGION])
      expect(replicas[region]).toMatchObject({
        DeletionProtectionEnabled: true,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    expect(Object.keys(replicas).sort()).toEqual([DR_REGION, TEST_REGION].sort());
  });

  test("tells the primary's RequestRestore its own Region as the backups' source", () => {
    const requestRestore = resourcesOf(primaryTemplate, 'AWS::Lambda::Function')[
      primary.getLogicalId(primary.scheduler.functions.requestRestore.node.defaultChild as never)
    ]!;
    expect(requestRestore.Properties.Environment).toMatchObject({ Variables: { RECOVERY_POINT_SOURCE_REGION: TEST_REGION } });
  });

  test('without a DR Region stays the table it was, so that an existing deployment changes nothing', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new SnapshotSchedulerStack(app, 'Primary', {
      config: { targets: [EXAMPLE_TARGET] },
      env: { account: TEST_ACCOUNT, region: TEST_REGION },
    });
    const template = Template.fromStack(stack);
    expect(Object.keys(resourcesOf(template, 'AWS::DynamoDB::GlobalTable'))).toEqual([]);
    expect(Object.keys(resourcesOf(template, 'AWS::DynamoDB::Table'))).toContain(
      stack.getLogicalId(stack.scheduler.recoveryPoints.table.node.defaultChild as never),
    );
  });
});

describe('the standby stack in the DR Region', () => {
  const { primary, primaryTemplate, template, standby } = synthesizeBoth();
  const globalTableName = Object.values(resourcesOf(primaryTemplate, 'AWS::DynamoDB::GlobalTable'))[0]!.Properties.TableName;

  test('has the restore workflow and its functions only: no schedules, no backups, no retention, no drills, no table', () => {
    expect(Object.keys(resourcesOf(template, 'AWS::StepFunctions::StateMachine'))).toEqual([
      standby.getLogicalId(standby.standby.restoreWorkflow.stateMachine.node.defaultChild as never),
    ]);
    const handlers = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map((f) => f.Properties.Description);
    expect(handlers).toHaveLength(4);
    for (const type of [
      'AWS::Scheduler::Schedule',
      'AWS::Scheduler::ScheduleGroup',
      'AWS::Events::Rule',
      'AWS::DynamoDB::Table',
      'AWS::DynamoDB::GlobalTable',
    ])
      expect(Object.keys(resourcesOf(template, type))).toEqual([]);
  });

  test("reads the catalog's replica in its own Region, by the global table's name, and only queries it", () => {
    expect(typeof globalTableName).toBe('string');
    const catalog = statementsOf(template).filter((s) => JSON.stringify(s.Resource).includes(':dynamodb:'));
    expect(catalog).toEqual([
      {
        Effect: 'Allow',
        Action: 'dynamodb:Query',
        Resource: `arn:aws:dynamodb:${DR_REGION}:${TEST_ACCOUNT}:table/${String(globalTableName)}`,
      },
    ]);
    const requestRestore = resourcesOf(template, 'AWS::Lambda::Function')[
      standby.getLogicalId(standby.standby.functions.requestRestore.node.defaultChild as never)
    ]!;
    expect(requestRestore.Properties.Environment).toMatchObject({
      Variables: { RECOVERY_POINT_CATALOG_TABLE: globalTableName, RECOVERY_POINT_SOURCE_REGION: TEST_REGION },
    });
  });

  test('may do nothing but restore: no snapshot copy or deletion, no backup or drill workflow to start', () => {
    expect(actionsOf(template)).toEqual([
      'dynamodb:Query',
      'eks:DescribeCluster',
      'events:PutEvents',
      'lambda:InvokeFunction',
      'logs:CreateLogDelivery',
      'logs:CreateLogStream',
      'logs:DeleteLogDelivery',
      'logs:DescribeLogGroups',
      'logs:DescribeResourcePolicies',
      'logs:GetLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutLogEvents',
      'logs:PutResourcePolicy',
      'logs:UpdateLogDelivery',
      'states:DescribeExecution',
      'states:StartExecution',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  test('reaches the DR EKS clusters only, through an access entry in each', () => {
    const describe = statementsOf(template).find((s) => s.Action === 'eks:DescribeCluster');
    expect(JSON.stringify(describe!.Resource)).toContain(`:eks:${DR_REGION}:${TEST_ACCOUNT}:cluster/dr-eks`);
    expect(Object.values(resourcesOf(template, 'AWS::EKS::AccessEntry')).map((e) => e.Properties.ClusterName)).toEqual(['dr-eks']);
  });

  test('passes the AWS Solutions checks, as `cdk synth` runs them, with nothing unacknowledged', () => {
    for (const stack of [standby, primary]) {
      const result = new AwsSolutionsChecks(stack).validateScope(stack) as { success: boolean; violations: Array<{ ruleName: string }> };
      expect(result.violations.map((v) => v.ruleName)).toEqual([]);
    }
  });

  test('is refused in a Region other than the config says, naming disasterRecovery.region', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(
      () =>
        new SnapshotSchedulerStandbyStack(app, 'Standby', {
          config: CONFIG,
          sourceRegion: TEST_REGION,
          catalogTableName: 'catalog',
          env: { account: TEST_ACCOUNT, region: 'us-west-2' },
        }),
    ).toThrow(/disasterRecovery\.region: eu-central-1 is not the standby stack's Region us-west-2/);
  });
});

describe('the Kubernetes permissions of the standby', () => {
  const manifests = clusterManifests(parseDeploymentConfig(CONFIG)).get('dr-eks')!;
  const objects = manifests.map((m) => m.object as { kind: string; metadata: { name: string; namespace?: string }; rules?: unknown });

  test('bind the restore role in the DR namespaces only', () => {
    expect(objects.filter((o) => o.kind === 'RoleBinding').map((o) => o.metadata.namespace)).toEqual(['demo', 'payments']);
  });

  test('grant what a restore does and nothing that deletes, patches or backs up', () => {
    const rules = objects.flatMap((o) => (o.rules as Array<{ resources: string[]; verbs: string[] }> | undefined) ?? []);
    expect(rules.map((r) => [r.resources.join(), r.verbs.join()])).toEqual([
      ['clusters', 'get,list,create'],
      ['volumesnapshots', 'get,create'],
      ['jobs', 'list'],
      ['volumesnapshotcontents', 'get,create'],
    ]);
  });
});
