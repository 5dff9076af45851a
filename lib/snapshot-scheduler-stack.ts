import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploymentConfigInput } from './deployment-config';
import { SnapshotScheduler } from './snapshot-scheduler';

export interface SnapshotSchedulerStackProps extends StackProps {
  /** The deployment config (see SnapshotSchedulerProps.config). */
  readonly config: DeploymentConfigInput;
}

/**
 * The deployable app: one SnapshotScheduler and, as the app's own, the outputs an operator and the CLI read (a
 * construct leaves outputs to the stack that embeds it).
 */
export class SnapshotSchedulerStack extends Stack {
  readonly scheduler: SnapshotScheduler;

  constructor(scope: Construct, id: string, props: SnapshotSchedulerStackProps) {
    super(scope, id, props);
    const scheduler = new SnapshotScheduler(this, 'Scheduler', { config: props.config });
    this.scheduler = scheduler;
    const outputs: Record<string, { value: string; description: string }> = {
      BackupWorkflowArn: {
        value: scheduler.backupWorkflow.stateMachine.stateMachineArn,
        description: 'Backup workflow (start-execution with {"target": ...})',
      },
      RetentionWorkflowArn: {
        value: scheduler.retentionWorkflow.stateMachine.stateMachineArn,
        description: 'Retention workflow (start-execution with {"target": ..., "dryRun": true} to see a plan)',
      },
      BackupFanOutArn: {
        value: scheduler.backupFanOut.stateMachine.stateMachineArn,
        description: 'Backup ticks: one execution per schedule firing',
      },
      RetentionFanOutArn: {
        value: scheduler.retentionFanOut.stateMachine.stateMachineArn,
        description: 'Retention sweeps: one execution per schedule firing',
      },
      DrillFanOutArn: {
        value: scheduler.drillFanOut.stateMachine.stateMachineArn,
        description: 'Drill ticks: one execution per schedule firing',
      },
      RestoreWorkflowArn: { value: scheduler.restoreWorkflow.stateMachine.stateMachineArn, description: 'Restore workflow' },
      DrillWorkflowArn: {
        value: scheduler.drillWorkflow.stateMachine.stateMachineArn,
        description: 'Restore drill workflow (start-execution with {"target": ...} for a drill on demand)',
      },
      RequestRestoreFunction: {
        value: scheduler.functions.requestRestore.functionName,
        description: 'Invoke to restore a backup into a new cluster',
      },
      ApplyRetentionFunction: {
        value: scheduler.functions.applyRetention.functionName,
        description: 'Invoke with "dryRun": true to see a retention plan',
      },
      ScheduleGroup: {
        value: scheduler.schedules.group.scheduleGroupName,
        description: 'EventBridge Scheduler group: one schedule per workflow and cron expression (<workflow>-<hash>)',
      },
      AlarmTopicArn: { value: scheduler.monitoring.topic.topicArn, description: 'SNS topic of every alarm' },
      Dashboard: { value: scheduler.monitoring.dashboard.dashboardName, description: 'CloudWatch dashboard' },
      RecoveryPointCatalogTable: {
        value: scheduler.recoveryPoints.table.tableName,
        description: 'DynamoDB table of the completed backups, outside the EKS clusters (restore after losing a namespace)',
      },
      RecoveryPointLedgerTable: {
        value: scheduler.monitoring.ledger.tableName,
        description:
          "DynamoDB table of each target's newest backup and last successful drill (the RPO and drill age audits; the CLI's status)",
      },
    };
    // Readable output names (`SchedulerBackupWorkflowArn`), the names the README and runbooks use.
    for (const [id, output] of Object.entries(outputs)) new CfnOutput(this, `Scheduler${id}`, output);
  }
}
