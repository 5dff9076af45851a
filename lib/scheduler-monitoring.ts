import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRIC_NAMESPACE, SchedulerMetric, SERVICE_DIMENSION, SERVICE_NAME, TARGET_DIMENSION } from '../lambdas/domain/scheduler-metrics';
import type { TargetSpec } from '../lambdas/domain/target-spec';
import type { DeploymentConfig } from './deployment-config';

export interface SchedulerMonitoringProps {
  readonly targets: readonly TargetSpec[];
  readonly notifications: DeploymentConfig['notifications'];
  readonly workflows: Readonly<Record<'backup' | 'retention' | 'restore', sfn.IStateMachine>>;
  /** The bus the scheduler's events go to; alarm state changes are forwarded there when it is not the default bus. */
  readonly eventBus: events.IEventBus;
  readonly eventBusName: string;
}

/**
 * Alarms that say the moment a recovery point is at risk, one SNS topic for all of them, and a dashboard:
 * per target, no completed backup within the RPO (missing data breaches) and any failed backup; per workflow, any
 * failed execution.
 */
export class SchedulerMonitoring extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: SchedulerMonitoringProps) {
    super(scope, id);
    this.topic = props.notifications.snsTopicArn
      ? sns.Topic.fromTopicArn(this, 'AlarmTopic', props.notifications.snsTopicArn)
      : new sns.Topic(this, 'AlarmTopic', {
          displayName: 'cnpg-snapshot-scheduler alarms',
          masterKey: this.topicKey(),
          enforceSSL: true,
        });
    if (props.notifications.email) this.topic.addSubscription(new subscriptions.EmailSubscription(props.notifications.email));
    const notify = new actions.SnsAction(this.topic);

    const metric = (name: SchedulerMetric, target: string, statistic: string, period: Duration) =>
      new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: name,
        dimensionsMap: { [SERVICE_DIMENSION]: SERVICE_NAME, [TARGET_DIMENSION]: target },
        statistic,
        period,
      });

    // Anything counted at all in five minutes: a failure is worth knowing of at once.
    const anyIn5Minutes = (id: string, name: string, description: string, metricToWatch: cloudwatch.IMetric) =>
      new cloudwatch.Alarm(this, id, {
        alarmName: `cnpg-snapshot-scheduler ${name}`,
        alarmDescription: description,
        metric: metricToWatch,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const fiveMinutes = Duration.minutes(5);

    for (const target of props.targets) {
      const where = `${target.namespace}/${target.cluster}`;
      const rpo = new cloudwatch.Alarm(this, `${target.name}-rpo`, {
        alarmName: `cnpg-snapshot-scheduler ${target.name} RPO`,
        alarmDescription: `No backup of ${where} completed within ${target.rpoMinutes} minutes (RPO)`,
        metric: metric(SchedulerMetric.BackupSucceeded, target.name, 'Sum', Duration.minutes(target.rpoMinutes)),
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 1,
        // No data means no backup was recorded at all: that breaches the RPO too.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
      this.alarms.push(
        rpo,
        anyIn5Minutes(
          `${target.name}-failed`,
          `${target.name} backup failed`,
          `A backup of ${where} failed or timed out`,
          metric(SchedulerMetric.BackupFailed, target.name, 'Sum', fiveMinutes),
        ),
        anyIn5Minutes(
          `${target.name}-workflow-failed`,
          `${target.name} workflow failed`,
          `A backup, retention or restore workflow of ${where} ended in an error`,
          metric(SchedulerMetric.WorkflowFailed, target.name, 'Sum', fiveMinutes),
        ),
      );
    }
    for (const [workflow, machine] of Object.entries(props.workflows)) {
      const sum = { period: fiveMinutes, statistic: 'Sum' };
      this.alarms.push(
        anyIn5Minutes(
          `${workflow}-executions-failed`,
          `${workflow} workflow failed`,
          `An execution of the ${workflow} workflow failed, timed out or was aborted`,
          new cloudwatch.MathExpression({
            expression: 'failed + timedOut + aborted',
            usingMetrics: { failed: machine.metricFailed(sum), timedOut: machine.metricTimedOut(sum), aborted: machine.metricAborted(sum) },
            period: fiveMinutes,
          }),
        ),
      );
    }
    for (const alarm of this.alarms) {
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
    }

    // CloudWatch puts alarm state changes on the default bus; forward ours to the configured bus.
    if (props.eventBusName !== 'default') {
      new events.Rule(this, 'ForwardAlarmEvents', {
        description: 'cnpg-snapshot-scheduler alarm state changes to the scheduler event bus',
        eventPattern: {
          source: ['aws.cloudwatch'],
          detailType: ['CloudWatch Alarm State Change'],
          resources: this.alarms.map((alarm) => alarm.alarmArn),
        },
        targets: [new eventTargets.EventBus(props.eventBus)],
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    for (const target of props.targets) {
      const hour = Duration.hours(1);
      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({
          markdown: `## ${target.name}: ${target.namespace}/${target.cluster} on ${target.eksCluster}`,
          width: 24,
          height: 1,
        }),
        new cloudwatch.GraphWidget({
          title: 'Backups per hour',
          left: [
            metric(SchedulerMetric.BackupSucceeded, target.name, 'Sum', hour),
            metric(SchedulerMetric.BackupFailed, target.name, 'Sum', hour),
            metric(SchedulerMetric.BackupSkipped, target.name, 'Sum', hour),
          ],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: 'Backup duration (s)',
          left: [
            metric(SchedulerMetric.BackupDurationSeconds, target.name, 'Average', hour),
            metric(SchedulerMetric.BackupDurationSeconds, target.name, 'Maximum', hour),
          ],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: 'Newest backup age vs RPO (s)',
          left: [metric(SchedulerMetric.NewestBackupAgeSeconds, target.name, 'Maximum', hour)],
          leftAnnotations: [{ value: target.rpoMinutes * 60, label: 'RPO', color: cloudwatch.Color.RED }],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: 'Retention: kept / deleted',
          left: [metric(SchedulerMetric.RetentionKept, target.name, 'Maximum', hour)],
          right: [metric(SchedulerMetric.RetentionDeleted, target.name, 'Sum', hour)],
          width: 3,
        }),
        new cloudwatch.GraphWidget({
          title: 'Restore RTO (s)',
          left: [metric(SchedulerMetric.RestoreRtoSeconds, target.name, 'Maximum', Duration.days(1))],
          width: 3,
        }),
      );
    }
    this.dashboard.addWidgets(new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }));
  }

  /**
   * The topic's customer managed key. CloudWatch cannot publish to a topic encrypted with the AWS managed key
   * `alias/aws/sns`, whose policy cannot be changed; this key lets CloudWatch use it on behalf of this account's
   * alarms only (SNS developer guide, "Key management", compatibility between event sources from AWS services and
   * encrypted topics; the aws:SourceAccount / aws:SourceArn conditions guard against the confused deputy).
   */
  private topicKey(): kms.Key {
    const { account, region, partition } = Stack.of(this);
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'cnpg-snapshot-scheduler alarm topic',
      enableKeyRotation: true,
      // The topic stores no messages: nothing encrypted outlives the stack.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccount',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );
    return key;
  }
}
