import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  BackupEventType,
  CopyEventType,
  CatalogDriftEventType,
  DrillEventType,
  EVENT_SOURCE,
  RecoveryPointEventType,
  RestoreEventType,
  RetentionEventType,
} from '../lambdas/domain/scheduler-event';
import { METRIC_NAMESPACE, SchedulerMetric, SERVICE_DIMENSION, SERVICE_NAME } from '../lambdas/domain/scheduler-metrics';
import type { DeploymentConfig } from './deployment-config';
import { RECOVERY_POINT_CATALOG_ENV, type RecoveryPointCatalog } from './recovery-point-catalog';
import { SchedulerFunction, type SchedulerNetwork } from './scheduler-function';

/** How often the recovery point audit runs: a breach is notified at most this long after it begins. */
export const RECOVERY_POINT_AUDIT_INTERVAL = Duration.minutes(5);

/** The scheduler events that notify the alarm topic, each naming its target. */
export const NOTIFIED_EVENTS = [
  BackupEventType.Failed,
  BackupEventType.TimedOut,
  RetentionEventType.Failed,
  RestoreEventType.Failed,
  RestoreEventType.TimedOut,
  RecoveryPointEventType.Breached,
  RecoveryPointEventType.Recovered,
  DrillEventType.Failed,
  DrillEventType.Overdue,
  CopyEventType.Failed,
  CatalogDriftEventType.RecoveryPointLost,
  CatalogDriftEventType.CopyLost,
] as const;

export interface SchedulerMonitoringProps {
  /** The layer with the deployment's target catalog: the audit reads the targets and their RPO from it. */
  readonly targetCatalog: lambda.ILayerVersion;
  readonly notifications: DeploymentConfig['notifications'];
  /** Every state machine, by name: each gets an alarm on failed, timed-out or aborted executions. */
  readonly workflows: Readonly<
    Record<'backup' | 'retention' | 'restore' | 'drill' | 'backup-fan-out' | 'retention-fan-out' | 'drill-fan-out', sfn.IStateMachine> & {
      /** The copy workflow, when the deployment makes disaster recovery copies. */
      copy?: sfn.IStateMachine;
    }
  >;
  /** The bus the scheduler's events go to; alarm state changes are forwarded there when it is not the default bus. */
  readonly eventBus: events.IEventBus;
  readonly eventBusName: string;
  readonly logRetention: logs.RetentionDays;
  /** The start of every alarm's name (alarm names are unique per account and region). */
  readonly alarmNamePrefix: string;
  /** Log groups of the functions that record backup and workflow failures (the per-target failure table). */
  readonly failureLogGroups: readonly logs.ILogGroup[];
  /** The audit lists the labelled Clusters of each EKS cluster under discovery: the workflows' Kubernetes role and network. */
  readonly kubeAccess: { readonly role: iam.IRole; readonly network: SchedulerNetwork | undefined };
  /** The recovery-point catalog: the recorder adds what EC2 describes of each completed backup's storage snapshots. */
  readonly recoveryPoints: RecoveryPointCatalog;
}

/**
 * Monitoring whose size does not grow with the targets. Failures reach the alarm topic as the scheduler's own events
 * (one EventBridge rule, each message naming its target); the RPO of every target is checked every five minutes by
 * an audit over a ledger of recovery points, which publishes `RPO Breached` / `RPO Recovered` events to the same
 * rule. Metrics are fleet-wide (no target dimension); per-target detail is in the logs, which the dashboard queries
 * worst first. A constant set of alarms watches the workflows and the monitoring itself.
 */
export class SchedulerMonitoring extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;
  readonly ledger: dynamodb.Table;
  readonly functions: Readonly<Record<'recordRecoveryPoint' | 'auditRecoveryPoints', SchedulerFunction>>;

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

    this.ledger = new dynamodb.Table(this, 'RecoveryPoints', {
      partitionKey: { name: 'target', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // The ledger is rebuilt by the next completed backup of each target.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const recorder = new SchedulerFunction(this, 'RecordRecoveryPoint', {
      handler: 'record-recovery-point',
      description:
        "Keeps the newest completed backup of each target for the recovery point audit; adds its EBS snapshots' encryption to the catalog",
      environment: { RECOVERY_POINT_TABLE: this.ledger.tableName, [RECOVERY_POINT_CATALOG_ENV]: props.recoveryPoints.table.tableName },
      logRetention: props.logRetention,
    });
    this.ledger.grant(recorder, 'dynamodb:UpdateItem');
    props.recoveryPoints.grantDescribeStorage(recorder);
    // What EC2 describes of the backup's EBS snapshots (no resource-level permissions: `*`, acknowledged in
    // lib/nag-acknowledgements.ts).
    recorder.addToRolePolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeSnapshots'], resources: ['*'] }));
    const auditor = new SchedulerFunction(this, 'AuditRecoveryPoints', {
      handler: 'audit-recovery-points',
      description: "Compares every target's newest recovery point with its RPO; publishes breaches naming the target",
      environment: {
        RECOVERY_POINT_TABLE: this.ledger.tableName,
        EVENT_BUS_NAME: props.eventBusName,
      },
      layers: [props.targetCatalog],
      role: props.kubeAccess.role,
      network: props.kubeAccess.network,
      logRetention: props.logRetention,
      timeout: Duration.minutes(2),
    });
    this.ledger.grant(auditor, 'dynamodb:Scan', 'dynamodb:UpdateItem');
    props.eventBus.grantPutEventsTo(auditor);
    this.functions = { recordRecoveryPoint: recorder, auditRecoveryPoints: auditor };

    const recordRule = new events.Rule(this, 'RecordRecoveryPoints', {
      description: 'cnpg-snapshot-scheduler: every completed backup and successful drill to the recovery point ledger',
      eventBus: props.eventBus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [BackupEventType.Completed, DrillEventType.Completed] },
      targets: [new eventTargets.LambdaFunction(recorder)],
    });
    new events.Rule(this, 'AuditSchedule', {
      description: 'cnpg-snapshot-scheduler: the recovery point audit',
      schedule: events.Schedule.rate(RECOVERY_POINT_AUDIT_INTERVAL),
      targets: [new eventTargets.LambdaFunction(auditor)],
    });
    const notifyRule = new events.Rule(this, 'Notify', {
      description: 'cnpg-snapshot-scheduler: failures and RPO breaches to the alarm topic, naming the target',
      eventBus: props.eventBus,
      eventPattern: { source: [EVENT_SOURCE], detailType: [...NOTIFIED_EVENTS] },
      targets: [new eventTargets.SnsTopic(this.topic, { message: notificationMessage() })],
    });

    const fiveMinutes = Duration.minutes(5);
    const metric = (name: SchedulerMetric, statistic: string, period: Duration) =>
      new cloudwatch.Metric({
        namespace: METRIC_NAMESPACE,
        metricName: name,
        dimensionsMap: { [SERVICE_DIMENSION]: SERVICE_NAME },
        statistic,
        period,
      });
    const alarm = (alarmId: string, name: string, description: string, options: Omit<cloudwatch.AlarmProps, 'alarmName'>) =>
      new cloudwatch.Alarm(this, alarmId, { ...options, alarmName: `${props.alarmNamePrefix} ${name}`, alarmDescription: description });
    for (const [workflow, machine] of Object.entries(props.workflows)) {
      const sum = { period: fiveMinutes, statistic: 'Sum' };
      this.alarms.push(
        alarm(
          `${workflow}-executions-failed`,
          `${workflow} workflow failed`,
          `An execution of the ${workflow} workflow failed, timed out or was aborted`,
          {
            metric: new cloudwatch.MathExpression({
              expression: 'failed + timedOut + aborted',
              usingMetrics: {
                failed: machine.metricFailed(sum),
                timedOut: machine.metricTimedOut(sum),
                aborted: machine.metricAborted(sum),
              },
              period: fiveMinutes,
            }),
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            threshold: 1,
            evaluationPeriods: 1,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          },
        ),
      );
    }
    this.alarms.push(
      alarm('audit-stopped', 'RPO audit stopped', 'No recovery point audit completed for 15 minutes: RPO breaches are not being checked', {
        metric: metric(SchedulerMetric.TargetsAudited, 'SampleCount', fiveMinutes),
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 3,
        // No data is exactly what a stopped audit looks like.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
      alarm(
        'drills-failing',
        'drills failing',
        'A restore drill failed or took longer than its maxRtoMinutes, or a target had no successful drill within its maxAgeDays (the Drill Failed / Drill Overdue notification names it)',
        {
          metric: new cloudwatch.MathExpression({
            expression: 'FILL(failed, 0) + FILL(overdue, 0)',
            usingMetrics: {
              failed: metric(SchedulerMetric.DrillFailed, 'Sum', fiveMinutes),
              overdue: metric(SchedulerMetric.TargetsDrillOverdue, 'Maximum', fiveMinutes),
            },
            period: fiveMinutes,
          }),
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        },
      ),
      alarm('notifications-failed', 'notifications failed', 'A notification, or a recovery point, could not be delivered', {
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(notify, 0) + FILL(record, 0) + FILL(recorderErrors, 0)',
          usingMetrics: {
            notify: ruleFailedInvocations(notifyRule),
            record: ruleFailedInvocations(recordRule),
            recorderErrors: recorder.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
          },
          period: fiveMinutes,
        }),
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    const notify = new actions.SnsAction(this.topic);
    for (const each of this.alarms) {
      each.addAlarmAction(notify);
      each.addOkAction(notify);
    }

    // CloudWatch puts alarm state changes on the default bus; forward ours to the configured bus.
    if (props.eventBusName !== 'default') {
      new events.Rule(this, 'ForwardAlarmEvents', {
        description: 'cnpg-snapshot-scheduler alarm state changes to the scheduler event bus',
        eventPattern: {
          source: ['aws.cloudwatch'],
          detailType: ['CloudWatch Alarm State Change'],
          resources: this.alarms.map((each) => each.alarmArn),
        },
        targets: [new eventTargets.EventBus(props.eventBus)],
      });
    }

    const hour = Duration.hours(1);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.days(7) });
    this.dashboard.addWidgets(
      new cloudwatch.LogQueryWidget({
        title: 'Recovery points, worst first (share of each target’s RPO used, latest audit)',
        logGroupNames: [auditor.logGroup.logGroupName],
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        queryLines: [
          'filter message = "recovery point"',
          'stats latest(rpoUsedPercent) as rpoUsedPercent, latest(ageMinutes) as ageMinutes, latest(rpoMinutes) as rpoMinutes, latest(breached) as breached, latest(newestBackup) as newestBackup by target',
          'sort rpoUsedPercent desc',
          'limit 50',
        ],
        width: 14,
        height: 8,
      }),
      new cloudwatch.LogQueryWidget({
        title: 'Failures by target, most first',
        logGroupNames: props.failureLogGroups.map((group) => group.logGroupName),
        view: cloudwatch.LogQueryVisualizationType.TABLE,
        queryLines: [
          `filter ispresent(${SchedulerMetric.BackupFailed}) or ispresent(${SchedulerMetric.WorkflowFailed}) or ispresent(${SchedulerMetric.DrillFailed})`,
          `stats sum(${SchedulerMetric.BackupFailed}) as backupsFailed, sum(${SchedulerMetric.WorkflowFailed}) as workflowsFailed, sum(${SchedulerMetric.DrillFailed}) as drillsFailed, latest(@timestamp) as last by Target`,
          'sort backupsFailed desc, workflowsFailed desc, drillsFailed desc',
          'limit 50',
        ],
        width: 10,
        height: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Targets breaching their RPO / audited',
        left: [metric(SchedulerMetric.TargetsBreachingRpo, 'Maximum', fiveMinutes)],
        right: [metric(SchedulerMetric.TargetsAudited, 'Maximum', fiveMinutes)],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Backups per hour (all targets)',
        left: [
          metric(SchedulerMetric.BackupSucceeded, 'Sum', hour),
          metric(SchedulerMetric.BackupFailed, 'Sum', hour),
          metric(SchedulerMetric.BackupSkipped, 'Sum', hour),
        ],
        right: [metric(SchedulerMetric.WorkflowFailed, 'Sum', hour)],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Backup duration (s)',
        left: [
          metric(SchedulerMetric.BackupDurationSeconds, 'Average', hour),
          metric(SchedulerMetric.BackupDurationSeconds, 'p99', hour),
          metric(SchedulerMetric.BackupDurationSeconds, 'Maximum', hour),
        ],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Retention deleted / restores and RTO (s)',
        left: [
          metric(SchedulerMetric.RetentionDeleted, 'Sum', hour),
          metric(SchedulerMetric.RestoreSucceeded, 'Sum', hour),
          metric(SchedulerMetric.RestoreFailed, 'Sum', hour),
        ],
        right: [metric(SchedulerMetric.RestoreRtoSeconds, 'Maximum', hour)],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Restore drills: passed, failed, RTO over target, targets overdue / drill RTO (s)',
        left: [
          metric(SchedulerMetric.DrillSucceeded, 'Sum', hour),
          metric(SchedulerMetric.DrillFailed, 'Sum', hour),
          metric(SchedulerMetric.DrillRtoExceeded, 'Sum', hour),
          metric(SchedulerMetric.TargetsDrillOverdue, 'Maximum', hour),
        ],
        right: [metric(SchedulerMetric.DrillRtoSeconds, 'Maximum', hour)],
        width: 6,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
  }

  /**
   * The topic's customer managed key. CloudWatch cannot publish to a topic encrypted with the AWS managed key
   * `alias/aws/sns`, whose policy cannot be changed; this key lets CloudWatch use it on behalf of this account's
   * alarms only (SNS developer guide, "Key management", compatibility between event sources from AWS services and
   * encrypted topics).
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
    // EventBridge gets its use of the key from the notification rule's SNS target (CDK grants kms:Decrypt and
    // kms:GenerateDataKey* to events.amazonaws.com), without conditions: the same guide says aws:SourceAccount and
    // aws:SourceArn are not supported for EventBridge-to-encrypted-topic delivery (with them every message is dropped).
    return key;
  }
}

/** The message: which event, which target and where, then the event's whole detail (its error, its backup). */
function notificationMessage(): events.RuleTargetInput {
  const field = (path: string) => events.EventField.fromPath(path);
  return events.RuleTargetInput.fromObject({
    notification: field('$.detail-type'),
    target: field('$.detail.target'),
    eksCluster: field('$.detail.eksCluster'),
    namespace: field('$.detail.namespace'),
    cluster: field('$.detail.cluster'),
    detail: field('$.detail'),
  });
}

function ruleFailedInvocations(rule: events.Rule): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/Events',
    metricName: 'FailedInvocations',
    dimensionsMap: { RuleName: rule.ruleName },
    statistic: 'Sum',
    period: Duration.minutes(5),
  });
}
