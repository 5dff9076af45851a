import { Match } from 'aws-cdk-lib/assertions';
import { TEST_ACCOUNT, TEST_REGION } from '../../simulator/workflow-runner/state-machine-definition';
import { EXAMPLE_TARGET, synthesize } from './synthesize';

type Alarm = { Properties: Record<string, unknown> };
interface KeyProperties {
  EnableKeyRotation: boolean;
  KeyPolicy: { Statement: Array<{ Principal: { Service?: string; AWS?: unknown }; [field: string]: unknown }> };
}

describe('alarms, notifications and the dashboard', () => {
  const { template } = synthesize({
    targets: [EXAMPLE_TARGET, { ...EXAMPLE_TARGET, name: 'jimi', cluster: 'jimi', rpoMinutes: 180 }],
    notifications: { email: 'sre@example.com' },
  });
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
  const alarmNamed = (name: string) => alarms.find((a) => a.Properties.AlarmName === name)!.Properties;

  test('each target alarms when no backup completed within its RPO, counting missing data as a breach', () => {
    expect(alarmNamed('cnpg-snapshot-scheduler hendrix RPO')).toMatchObject({
      Namespace: 'CnpgSnapshotScheduler',
      MetricName: 'BackupSucceeded',
      Dimensions: expect.arrayContaining([
        { Name: 'Target', Value: 'hendrix' },
        { Name: 'service', Value: 'cnpg-snapshot-scheduler' },
      ]),
      Statistic: 'Sum',
      Period: 5400,
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
    expect(alarmNamed('cnpg-snapshot-scheduler jimi RPO').Period).toBe(10_800);
  });

  test('each target alarms on any failed backup', () => {
    expect(alarmNamed('cnpg-snapshot-scheduler jimi backup failed')).toMatchObject({
      MetricName: 'BackupFailed',
      Dimensions: expect.arrayContaining([
        { Name: 'Target', Value: 'jimi' },
        { Name: 'service', Value: 'cnpg-snapshot-scheduler' },
      ]),
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  test('each target alarms when any of its workflows ended in an error', () => {
    expect(alarmNamed('cnpg-snapshot-scheduler hendrix workflow failed')).toMatchObject({
      MetricName: 'WorkflowFailed',
      Dimensions: expect.arrayContaining([
        { Name: 'Target', Value: 'hendrix' },
        { Name: 'service', Value: 'cnpg-snapshot-scheduler' },
      ]),
      Threshold: 1,
    });
  });

  test('each workflow alarms on any failed, timed-out or aborted execution', () => {
    for (const workflow of ['backup', 'retention', 'restore'])
      expect(alarmNamed(`cnpg-snapshot-scheduler ${workflow} workflow failed`).Metrics).toEqual(
        expect.arrayContaining([expect.objectContaining({ Expression: 'failed + timedOut + aborted' })]),
      );
  });

  test('every alarm notifies the one encrypted topic, on alarm and on recovery', () => {
    expect(alarms).toHaveLength(2 * 3 + 3);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/AlarmTopic/) }]);
    }
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'sre@example.com' });
  });

  test("the topic's key is customer managed, rotated, and usable by CloudWatch only for this account's alarms", () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key')) as Array<{ Properties: KeyProperties }>;
    expect(keys).toHaveLength(1);
    const { EnableKeyRotation, KeyPolicy } = keys[0]!.Properties;
    expect(EnableKeyRotation).toBe(true);
    const services = KeyPolicy.Statement.filter((statement) => statement.Principal.Service);
    expect(services).toEqual([
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
    for (const alarm of Object.values(withTopic.findResources('AWS::CloudWatch::Alarm')))
      expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-west-1:123456789012:oncall']);
  });

  test('alarm state changes are forwarded to a custom event bus', () => {
    template.resourceCountIs('AWS::Events::Rule', 0);
    const { template: custom } = synthesize({ targets: [EXAMPLE_TARGET], eventBusName: 'platform-events' });
    custom.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] },
    });
  });

  test('one dashboard shows every target', () => {
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties.DashboardBody);
    for (const text of ['Newest backup age vs RPO', 'Restore RTO', 'Retention: kept / deleted', 'hendrix', 'jimi'])
      expect(body).toContain(text);
  });
});
