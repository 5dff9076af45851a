import { Match } from 'aws-cdk-lib/assertions';
import { fanOutScheduleId } from '../../lambdas/domain/fan-out-schedule';
import { DeploymentConfigError } from '../../lib/deployment-config';
import { KUBERNETES_GROUP } from '../../lib/kubernetes-group';
import { EXAMPLE_TARGET, resourcesOf, synthesize } from './synthesize';

type Resource = { Type: string; Properties: Record<string, unknown> };
type PolicyStatement = { Action: string | string[]; Resource: unknown; Effect: string };

function resourcesOfType(template: ReturnType<typeof synthesize>['template'], type: string): Array<[string, Resource]> {
  return Object.entries(template.findResources(type)) as Array<[string, Resource]>;
}

describe('the synthesized scheduler', () => {
  const { template, stack } = synthesize({
    targets: [
      EXAMPLE_TARGET,
      {
        ...EXAMPLE_TARGET,
        name: 'jimi',
        cluster: 'jimi',
        eksCluster: 'other-eks',
        schedule: 'cron(15 */2 * * ? *)',
        drill: { schedule: 'cron(30 5 ? * SAT *)' },
      },
    ],
  });

  test('every Lambda runs nodejs24.x on arm64 with JSON logs and X-Ray', () => {
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(4);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        LoggingConfig: { LogFormat: 'JSON' },
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  test('one schedule per workflow and distinct expression invokes the dispatcher with the expression and the scheduled time', () => {
    const dispatcherId = stack.getLogicalId(stack.scheduler.functions.dispatchSchedule.node.defaultChild as never);
    const schedules = resourcesOfType(template, 'AWS::Scheduler::Schedule').map(([, s]) => {
      const target = s.Properties.Target as { Arn: unknown; Input: string };
      expect(target.Arn).toEqual({ 'Fn::GetAtt': [dispatcherId, 'Arn'] });
      const input = JSON.parse(target.Input) as { workflow: string; schedule: string; scheduledTime: string };
      expect(input.scheduledTime).toBe('<aws.scheduler.scheduled-time>');
      expect(input.schedule).toBe(s.Properties.ScheduleExpression);
      return `${input.workflow} ${String(s.Properties.ScheduleExpression)}`;
    });
    // Two targets share the retention expression: one retention schedule for both.
    expect(schedules.sort()).toEqual([
      'backup cron(0 * * * ? *)',
      'backup cron(15 */2 * * ? *)',
      'drill cron(0 4 ? * SUN *)',
      'drill cron(30 5 ? * SAT *)',
      'retention cron(30 3 * * ? *)',
    ]);
  });

  test('a target whose drills are turned off is on no drill schedule', () => {
    const { template: off } = synthesize({ targets: [{ ...EXAMPLE_TARGET, drill: { enabled: false } }] });
    const names = Object.values(resourcesOf(off, 'AWS::Scheduler::Schedule')).map((s) => s.Properties.Name as string);
    expect(names.sort()).toEqual([fanOutScheduleId('backup', 'cron(0 * * * ? *)'), fanOutScheduleId('retention', 'cron(30 3 * * ? *)')]);
  });

  test('the dispatcher may start and describe executions of the three fan-out workflows and nothing else', () => {
    const ids = [stack.scheduler.backupFanOut, stack.scheduler.retentionFanOut, stack.scheduler.drillFanOut].map((w) =>
      stack.getLogicalId(w.stateMachine.node.defaultChild as never),
    );
    const [, policy] = resourcesOfType(template, 'AWS::IAM::Policy').find(([id]) => id.includes('DispatchScheduleRole'))!;
    const statements = (policy.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement;
    const starts = statements.filter((s) => s.Action === 'states:StartExecution').map((s) => s.Resource);
    expect(starts).toEqual(ids.map((id) => ({ Ref: id })));
    const describes = statements.filter((s) => s.Action === 'states:DescribeExecution').flatMap((s) => [s.Resource].flat());
    expect(describes.map((resource) => JSON.stringify(resource))).toEqual(
      ids.map((id): unknown => expect.stringMatching(new RegExp(`:execution:.*"Ref":"${id}".*:\\*"\\]\\]\\}$`))),
    );
    expect(
      statements
        .map((s) => s.Action)
        .flat()
        .sort(),
    ).toEqual([
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'states:DescribeExecution',
      'states:StartExecution',
      'states:StartExecution',
      'states:StartExecution',
      'xray:PutTelemetryRecords',
      'xray:PutTraceSegments',
    ]);
  });

  test('only the AWS-only recorder and reconciliation may describe EBS snapshots, not the Kubernetes-facing workflow role', () => {
    const roleOf = (role: { node: { defaultChild?: unknown } }) => stack.getLogicalId(role.node.defaultChild as never);
    const describers = resourcesOfType(template, 'AWS::IAM::Policy')
      .filter(([, p]) =>
        (p.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement.some((s) =>
          [s.Action].flat().includes('ec2:DescribeSnapshots'),
        ),
      )
      .flatMap(([, p]) => (p.Properties.Roles as Array<{ Ref: string }>).map((role) => role.Ref));
    expect(describers.sort()).toEqual(
      [
        roleOf(stack.scheduler.functions.reconcileRecoveryPoints.role!),
        roleOf(stack.scheduler.monitoring.functions.recordRecoveryPoint.role!),
        ...Object.values(stack.scheduler.copies?.functions ?? {}).map((fn) => roleOf(fn.role!)),
      ].sort(),
    );
    expect(describers).not.toContain(roleOf(stack.scheduler.kubeAccess.role));
  });

  test('the workflow role may describe the named EKS clusters only', () => {
    const statements = resourcesOfType(template, 'AWS::IAM::Policy')
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: PolicyStatement[] }).Statement)
      .filter((s) => [s.Action].flat().includes('eks:DescribeCluster'));
    expect(statements).toHaveLength(1);
    expect(JSON.stringify(statements[0]!.Resource)).toContain(':cluster/other-eks');
    expect(JSON.stringify(statements[0]!.Resource)).toContain(':cluster/prod-eks');
    expect(JSON.stringify(statements[0]!.Resource)).not.toContain('*');
  });

  test('an EKS access entry per cluster puts the workflow role in the group the generated RBAC binds', () => {
    const roleId = stack.getLogicalId(stack.scheduler.kubeAccess.role.node.defaultChild as never);
    const entries = resourcesOfType(template, 'AWS::EKS::AccessEntry').map(([, e]) => e.Properties);
    expect(entries.map((e) => e.ClusterName).sort()).toEqual(['other-eks', 'prod-eks']);
    for (const entry of entries) {
      expect(entry).toMatchObject({
        Type: 'STANDARD',
        KubernetesGroups: [KUBERNETES_GROUP],
        PrincipalArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
      });
      expect(entry.AccessPolicies).toBeUndefined();
    }
  });

  test('the backup state machine is a Standard JSONPath workflow with logging and tracing', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
  });

  test('every log group has a retention', () => {
    for (const [, group] of resourcesOfType(template, 'AWS::Logs::LogGroup')) expect(group.Properties.RetentionInDays).toBe(30);
  });
});

describe('what a deployed scheduler may connect with', () => {
  test('a target with kubeconfig auth fails synth naming the field: kubeconfig is for local runs only', () => {
    const targets = [
      EXAMPLE_TARGET,
      { ...EXAMPLE_TARGET, name: 'jimi', cluster: 'jimi', auth: { kind: 'kubeconfig' as const, path: '~/.kube/config' } },
    ];
    expect(() => synthesize({ targets })).toThrow(DeploymentConfigError);
    expect(() => synthesize({ targets })).toThrow('targets.1.auth: kubeconfig auth is for local runs only');
  });
});

describe('what the stack tells the operator', () => {
  const { template } = synthesize();

  test('outputs name the workflows, the restore and retention functions, the schedule group, the topic, the dashboard, the catalog and the ledger', () => {
    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'SchedulerAlarmTopicArn',
      'SchedulerApplyRetentionFunction',
      'SchedulerBackupFanOutArn',
      'SchedulerBackupWorkflowArn',
      'SchedulerDashboard',
      'SchedulerDrillFanOutArn',
      'SchedulerDrillWorkflowArn',
      'SchedulerRecoveryPointCatalogTable',
      'SchedulerRecoveryPointLedgerTable',
      'SchedulerRequestRestoreFunction',
      'SchedulerRestoreWorkflowArn',
      'SchedulerRetentionFanOutArn',
      'SchedulerRetentionWorkflowArn',
      'SchedulerScheduleGroup',
    ]);
  });

  test('each schedule has a stable name: <workflow>-<hash of its expression>', () => {
    const names = Object.values(resourcesOf(template, 'AWS::Scheduler::Schedule')).map((s) => s.Properties.Name as string);
    expect(names.sort()).toEqual([
      fanOutScheduleId('backup', 'cron(0 * * * ? *)'),
      fanOutScheduleId('drill', 'cron(0 4 ? * SUN *)'),
      fanOutScheduleId('retention', 'cron(30 3 * * ? *)'),
    ]);
  });
});

describe('Lambda runtime settings', () => {
  const nodeOptions = (config: Parameters<typeof synthesize>[0]) =>
    resourcesOfType(synthesize(config).template, 'AWS::Lambda::Function').map(
      ([, fn]) => (fn.Properties.Environment as { Variables: Record<string, string> }).Variables.NODE_OPTIONS,
    );

  test('source maps are off by default: no --enable-source-maps to pay for at every cold start', () => {
    expect(new Set(nodeOptions({ targets: [EXAMPLE_TARGET] }))).toEqual(new Set([undefined]));
  });

  test('lambdaSourceMaps: true runs the fourteen workflow functions with --enable-source-maps', () => {
    const { stack, template } = synthesize({ targets: [EXAMPLE_TARGET], lambdaSourceMaps: true });
    const resources = (template.toJSON() as { Resources: Record<string, Resource> }).Resources;
    const options = Object.values(stack.scheduler.functions).map(
      (fn) =>
        (resources[stack.getLogicalId(fn.node.defaultChild as never)]!.Properties.Environment as { Variables: Record<string, string> })
          .Variables.NODE_OPTIONS,
    );
    expect(options).toHaveLength(14);
    expect(new Set(options)).toEqual(new Set(['--enable-source-maps']));
  });

  test('the functions that only call AWS get 128 MB, the Kubernetes-facing ones 256 MB', () => {
    const { stack, template } = synthesize();
    const memory = Object.fromEntries(
      Object.entries(stack.scheduler.functions).map(([name, fn]) => [
        name,
        (template.toJSON() as { Resources: Record<string, Resource> }).Resources[stack.getLogicalId(fn.node.defaultChild as never)]!
          .Properties.MemorySize,
      ]),
    );
    expect(memory).toEqual({
      startBackup: 256,
      checkBackup: 256,
      applyRetention: 256,
      reportFailure: 128,
      dispatchSchedule: 128,
      planFanOut: 128,
      reportFanOut: 128,
      requestRestore: 256,
      createRestoreCluster: 256,
      checkRestore: 256,
      startDrill: 256,
      checkDrill: 256,
      finishDrill: 256,
      reconcileRecoveryPoints: 128,
    });
  });
});
