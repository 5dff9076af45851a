import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseDeploymentConfig } from '../../lib/deployment-config';
import { SnapshotSchedulerStack } from '../../lib/snapshot-scheduler-stack';
import { TEST_ACCOUNT, TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';
import { EXAMPLE_TARGET, resourcesOf, synthesize } from './synthesize';

/** The feature flags of cdk.json, which `cdk synth` applies (enablePartitionLiterals among them). */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> }).context;

type Statement = { Action: string | string[]; Resource: unknown };

/** Actions that AWS offers no resource-level permissions for, and why the stack needs each. */
const JUSTIFIED_WILDCARD_ACTIONS: Record<string, string> = {
  'xray:PutTraceSegments': 'Lambda and Step Functions X-Ray tracing',
  'xray:PutTelemetryRecords': 'Lambda and Step Functions X-Ray tracing',
  'xray:GetSamplingRules': 'Step Functions X-Ray tracing',
  'xray:GetSamplingTargets': 'Step Functions X-Ray tracing',
  'logs:CreateLogDelivery': 'Step Functions execution logs',
  'logs:GetLogDelivery': 'Step Functions execution logs',
  'logs:UpdateLogDelivery': 'Step Functions execution logs',
  'logs:DeleteLogDelivery': 'Step Functions execution logs',
  'logs:ListLogDeliveries': 'Step Functions execution logs',
  'logs:PutResourcePolicy': 'Step Functions execution logs',
  'logs:DescribeResourcePolicies': 'Step Functions execution logs',
  'logs:DescribeLogGroups': 'Step Functions execution logs',
  'ec2:DescribeSnapshots': "the encryption, KMS key and existence of the backups' EBS snapshots",
};

// `cdk synth` passes the default account and region when it finds them: CDK then writes some ARNs' partition and
// region literally, and an acknowledgement must name the ARN as written, so every combination is checked.
describe.each([
  { where: 'account and region known', env: { account: TEST_ACCOUNT, region: TEST_REGION } },
  { where: 'only the region known', env: { region: TEST_REGION } },
  { where: 'neither known (environment-agnostic)', env: {} },
])('AWS Solutions checks with $where', ({ env }) => {
  test('find nothing that is not acknowledged with a reason', () => {
    const app = new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
    const stack = new SnapshotSchedulerStack(app, 'Test', { config: parseDeploymentConfig({ targets: [EXAMPLE_TARGET] }), env });
    const result = new AwsSolutionsChecks(app).validateScope(stack) as { success: boolean; violations: Array<{ ruleName: string }> };
    expect(result.violations.map((v) => v.ruleName)).toEqual([]);
    expect(result.success).toBe(true);
  });
});

describe('security of the synthesized stack', () => {
  const { template } = synthesize();

  test('no IAM statement grants a wildcard resource except for actions that have no resource-level permissions', () => {
    const wildcardActions = Object.values(resourcesOf(template, 'AWS::IAM::Policy'))
      .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement)
      .filter((statement) => [statement.Resource].flat().includes('*'))
      .flatMap((statement) => [statement.Action].flat());
    expect(wildcardActions.length).toBeGreaterThan(0);
    for (const action of wildcardActions) expect(JUSTIFIED_WILDCARD_ACTIONS).toHaveProperty([action]);
  });

  test('no role carries an AWS managed policy', () => {
    for (const role of Object.values(resourcesOf(template, 'AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});
