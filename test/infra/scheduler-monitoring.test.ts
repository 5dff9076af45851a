import { Match, type Template } from 'aws-cdk-lib/assertions';
import { TEST_ACCOUNT, TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';
import { readTargetCatalog } from '../../lambdas/adapters/target-catalog-file';
import { EXAMPLE_TARGET, synthesize } from './synthesize';

type Resource = { Properties: Record<string, unknown> };
interface KeyProperties {
  EnableKeyRotation: boolean;
  KeyPolicy: { Statement: Array<{ Principal: { Service?: string; AWS?: unknown }; [field: string]: unknown }> };
}

const targets = (count: number) =>
  Array.from({ length: count }, (_, i) => ({ ...EXAMPLE_TARGET, name: `db${i}`, cluster: `db${i}`, rpoMinutes: 90 + i }));
const resources = (template: Template, type: string) => Object.values(template.findResources(type)) as Resource[];
const logicalId = (template: Template, type: string, match: (properties: Record<string, unknown>) => boolean) =>
  Object.entries(template.findResources(type)).find(([, resource]) => match((resource as Resource).Properties))![0];

describe('alarms, notifications and the dashboard', () => {
  const { stack, template } = synthesize({
    targets: [EXAMPLE_TARGET, { ...EXAMPLE_TARGET, name: 'jimi', cluster: 'jimi', rpoMinutes: 43_200 }],
    notifications: { email: 'sre@example.com' },
  });
  const alarms = resources(template, 'AWS::CloudWatch::Alarm');
  const alarmNamed = (name: string) => alarms.find((a) => a.Properties.AlarmName === `Test/Scheduler ${name}`)!.Properties;
  const rules = resources(template, 'AWS::Events::Rule');

  test('the number of alarms, rules and the dashboard do not grow with the targets', () => {
    const counts = (count: number) => {
      const { template: synthesized } = synthesize({ targets: targets(count) });
      const body = JSON.stringify(resources(synthesized, 'AWS::CloudWatch::Dashboard')[0]!.Properties.DashboardBody);
      return {
        alarms: resources(synthesized, 'AWS::CloudWatch::Alarm').length,
        rules: resources(synthesized, 'AWS::Events::Rule').length,
        tables: resources(synthesized, 'AWS::DynamoDB::Table').length,
        dashboardBytes: body.length,
      };
    };
    expect(counts(1)).toEqual(counts(20));
    expect(counts(1).alarms).toBe(10);
  });

  test('failures (copies included), RPO breaches, overdue drills and lost recovery points reach the topic through one rule, the message naming the target', () => {
    const notify = rules.find((rule) => String(rule.Properties.Description).includes('to the alarm topic'))!.Properties;
    expect(notify.EventPattern).toEqual({
      source: ['cnpg-snapshot-scheduler'],
      'detail-type': [
        'Backup Failed',
        'Backup Timed Out',
        'Retention Failed',
        'Restore Failed',
        'Restore Timed Out',
        'RPO Breached',
        'RPO Recovered',
        'Drill Failed',
        'Drill Overdue',
        'Copy Failed',
        'Recovery Point Lost',
        'Recovery Point Copy Lost',
      ],
    });
    const [target] = notify.Targets as Array<{
      Arn: unknown;
      InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
    }>;
    expect(target!.Arn).toEqual({ Ref: expect.stringMatching(/AlarmTopic/) });
    expect(target!.InputTransformer.InputPathsMap).toMatchObject({ 'detail-target': '$.detail.target', 'detail-type': '$.detail-type' });
    expect(JSON.parse(target!.InputTransformer.InputTemplate.replace(/<([\w-]+)>/g, '"$1"'))).toEqual({
      notification: 'detail-type',
      target: 'detail-target',
      eksCluster: 'detail-eksCluster',
      namespace: 'detail-namespace',
      cluster: 'detail-cluster',
      detail: 'detail',
    });
  });

  test('every completed backup and successful drill goes to the recovery point ledger; the audit runs every five minutes', () => {
    const recorder = logicalId(template, 'AWS::Lambda::Function', (p) =>
      String(p.Description).startsWith('Keeps the newest completed backup'),
    );
    const auditor = logicalId(template, 'AWS::Lambda::Function', (p) => String(p.Description).startsWith("Compares every target's newest"));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['cnpg-snapshot-scheduler'], 'detail-type': ['Backup Completed', 'Drill Completed'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [recorder, 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [auditor, 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'target', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
  });

  test('the audit knows every target and its RPO, a month-long one included, from the target catalog', () => {
    const auditor = stack.getLogicalId(stack.scheduler.monitoring.functions.auditRecoveryPoints.node.defaultChild as never);
    const layer = stack.getLogicalId(stack.scheduler.targetCatalog.layer.node.defaultChild as never);
    const { Properties } = template.findResources('AWS::Lambda::Function')[auditor] as Resource;
    expect(Properties.Layers).toEqual([{ Ref: layer }]);
    expect(JSON.stringify(Properties.Environment)).not.toContain('hendrix');
    const audited = readTargetCatalog(stack.scheduler.targetCatalog.path).targets.map(({ name, rpoMinutes }) => ({ name, rpoMinutes }));
    expect(audited).toEqual([
      { name: 'hendrix', rpoMinutes: 90 },
      { name: 'jimi', rpoMinutes: 43_200 },
    ]);
  });

  test('an audit that stops running alarms within 15 minutes (no data breaches)', () => {
    expect(alarmNamed('RPO audit stopped')).toMatchObject({
      Namespace: 'CnpgSnapshotScheduler',
      MetricName: 'TargetsAudited',
      Dimensions: [{ Name: 'service', Value: 'cnpg-snapshot-scheduler' }],
      Statistic: 'SampleCount',
      Period: 300,
      EvaluationPeriods: 3,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });

  test('undelivered notifications and recovery points alarm', () => {
    const metrics = alarmNamed('notifications failed').Metrics as Array<{
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string } };
    }>;
    expect(metrics.find((m) => m.Expression)!.Expression).toBe('FILL(notify, 0) + FILL(record, 0) + FILL(recorderErrors, 0)');
    expect(metrics.flatMap((m) => (m.MetricStat ? [m.MetricStat.Metric.MetricName] : []))).toEqual([
      'FailedInvocations',
      'FailedInvocations',
      'Errors',
    ]);
  });

  test('a failed drill (a check, the RTO, the cluster) or a target overdue for a successful drill alarms', () => {
    const drills = alarmNamed('drills failing');
    const metrics = drills.Metrics as Array<{ Expression?: string; MetricStat?: { Metric: { MetricName: string }; Stat: string } }>;
    expect(metrics.find((m) => m.Expression)!.Expression).toBe('FILL(failed, 0) + FILL(overdue, 0)');
    expect(metrics.flatMap((m) => (m.MetricStat ? [`${m.MetricStat.Metric.MetricName} ${m.MetricStat.Stat}`] : []))).toEqual([
      'DrillFailed Sum',
      'TargetsDrillOverdue Maximum',
    ]);
    expect(drills).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
  });

  test('each workflow alarms on any failed, timed-out or aborted execution', () => {
    for (const workflow of ['backup', 'retention', 'restore', 'drill', 'backup-fan-out', 'retention-fan-out', 'drill-fan-out'])
      expect(alarmNamed(`${workflow} workflow failed`).Metrics).toEqual(
        expect.arrayContaining([expect.objectContaining({ Expression: 'failed + timedOut + aborted' })]),
      );
  });

  test('every alarm notifies the one encrypted topic, on alarm and on recovery', () => {
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
    }
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'sre@example.com' });
  });

  test("the topic's key is customer managed and rotated; CloudWatch may use it for this account's alarms only", () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key')) as Array<{ Properties: KeyProperties }>;
    expect(keys).toHaveLength(1);
    const { EnableKeyRotation, KeyPolicy } = keys[0]!.Properties;
    expect(EnableKeyRotation).toBe(true);
    expect(KeyPolicy.Statement.filter((statement) => statement.Principal.Service)).toEqual([
      {
        Sid: 'CloudWatchAlarmsOfThisAccount',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: {
          StringEquals: { 'aws:SourceAccount': TEST_ACCOUNT },
          ArnLike: {
            'aws:SourceArn': {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:${TEST_REGION}:${TEST_ACCOUNT}:alarm:*`]],
            },
          },
        },
      },
      // SNS does not support source conditions for EventBridge-to-encrypted-topic delivery (they drop every message).
      {
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
      },
    ]);
    // Everything else in the policy is the account's own administration of the key (CDK's default statement).
    expect(KeyPolicy.Statement.filter((statement) => !statement.Principal.Service)).toEqual([
      expect.objectContaining({ Principal: { AWS: expect.objectContaining({ 'Fn::Join': expect.anything() }) }, Action: 'kms:*' }),
    ]);
  });

  test('an existing topic from the config is used instead of a new one', () => {
    const { template: withTopic } = synthesize({
      targets: [EXAMPLE_TARGET],
      notifications: { snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall' },
    });
    withTopic.resourceCountIs('AWS::SNS::Topic', 0);
    withTopic.resourceCountIs('AWS::KMS::Key', 0);
    for (const alarm of resources(withTopic, 'AWS::CloudWatch::Alarm'))
      expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:oncall']);
  });

  test('alarm state changes are forwarded to a custom event bus', () => {
    expect(rules.filter((rule) => JSON.stringify(rule.Properties.EventPattern ?? {}).includes('aws.cloudwatch'))).toEqual([]);
    const { template: custom } = synthesize({ targets: [EXAMPLE_TARGET], eventBusName: 'platform-events' });
    custom.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] },
    });
  });

  test('the dashboard leads with the worst recovery points and the most failing targets, from the logs', () => {
    const body = JSON.stringify(resources(template, 'AWS::CloudWatch::Dashboard')[0]!.Properties.DashboardBody);
    expect(body).toContain('sort rpoUsedPercent desc');
    expect(body).toContain('by Target');
    for (const text of ['Targets breaching their RPO', 'Backups per hour', 'Backup duration', 'RTO']) expect(body).toContain(text);
    expect(body).not.toContain('jimi');
  });
});
