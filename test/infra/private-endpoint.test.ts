import { AwsSolutionsChecks } from 'cdk-nag';
import { EXAMPLE_TARGET, resourcesOf, synthesize } from './synthesize';

const network = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0aaaaaaaaaaaaaaaa', 'subnet-0bbbbbbbbbbbbbbbb'],
  securityGroupIds: ['sg-0cccccccccccccccc'],
};

describe('EKS clusters with a private API endpoint', () => {
  const { app, stack, template } = synthesize({ targets: [EXAMPLE_TARGET], network });
  const functions = Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).map(
    ([id, fn]) => [id, fn.Properties.VpcConfig] as const,
  );

  test('every function that talks to Kubernetes runs in the configured subnets and security groups', () => {
    const inVpc = functions.filter(([, vpc]) => vpc).map(([id]) => id.replace(/^Scheduler|[0-9A-F]{8}$/g, ''));
    expect(inVpc.sort()).toEqual([
      'ApplyRetention',
      'CheckBackup',
      'CheckDrill',
      'CheckRestore',
      'CreateRestoreCluster',
      'FinishDrill',
      'MonitoringAuditRecoveryPoints',
      'PlanFanOut',
      'RequestRestore',
      'StartBackup',
      'StartDrill',
    ]);
    for (const [, vpc] of functions.filter(([, v]) => v))
      expect(vpc).toEqual({ SubnetIds: network.subnetIds, SecurityGroupIds: network.securityGroupIds });
  });

  test('the functions that never call Kubernetes (dispatcher, reporters, recovery point recorder, catalog reconciliation) stay outside the VPC', () => {
    expect(
      functions
        .filter(([, vpc]) => !vpc)
        .map(([id]) => id.replace(/^Scheduler|[0-9A-F]{8}$/g, ''))
        .sort(),
    ).toEqual(['DispatchSchedule', 'MonitoringRecordRecoveryPoint', 'ReconcileRecoveryPoints', 'ReportFailure', 'ReportFanOut']);
  });

  test('the only AWS managed policy is the ENI policy of the VPC role, acknowledged with its reason', () => {
    const managed = Object.values(resourcesOf(template, 'AWS::IAM::Role')).flatMap(
      (role) => (role.Properties.ManagedPolicyArns as unknown[] | undefined) ?? [],
    );
    expect(JSON.stringify(managed)).toContain('AWSLambdaVPCAccessExecutionRole');
    expect(managed).toHaveLength(1);
    const result = new AwsSolutionsChecks(app).validateScope(stack) as { violations: Array<{ ruleName: string }> };
    expect(result.violations.map((v) => v.ruleName)).toEqual([]);
  });

  test.each([
    [{ ...network, vpcId: 'my-vpc' }, 'network.vpcId: must be a VPC id'],
    [{ ...network, subnetIds: [] }, 'network.subnetIds: must list at least one subnet'],
    [{ ...network, securityGroupIds: ['default'] }, 'network.securityGroupIds.0: must be a security group id'],
  ])('a bad network setting fails synth naming the field: %j', (bad, message) => {
    expect(() => synthesize({ targets: [EXAMPLE_TARGET], network: bad })).toThrow(message);
  });
});
