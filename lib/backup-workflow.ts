import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { failureEnd, handlerTask, workflowStateMachine } from './workflow-tasks';

export interface BackupWorkflowProps {
  readonly startBackup: lambda.IFunction;
  readonly checkBackup: lambda.IFunction;
  readonly reportFailure: lambda.IFunction;
  /** Applies the target's retention after every completed backup. */
  readonly applyRetention: lambda.IFunction;
  /** The longest backup timeout of any target; the execution itself stops a little after it. */
  readonly longestBackupTimeout: Duration;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The backup workflow: StartBackup -> Wait -> CheckBackup -> (wait again | completed -> ApplyRetention | failed |
 * timed out). Every wait is a Step Functions Wait state whose length the check step chooses.
 */
export class BackupWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: BackupWorkflowProps) {
    super(scope, id);
    const failed = failureEnd(this, { workflow: 'backup', reportFailure: props.reportFailure });

    const start = handlerTask(this, 'StartBackup', {
      fn: props.startBackup,
      payload: { 'input.$': '$', 'executionName.$': '$$.Execution.Name' },
      resultPath: '$.backup',
    });
    const wait = new sfn.Wait(this, 'WaitForBackup', { time: sfn.WaitTime.secondsPath('$.backup.progress.waitSeconds') });
    const check = handlerTask(this, 'CheckBackup', {
      fn: props.checkBackup,
      payload: { 'target.$': '$.target', 'follow.$': '$.backup.follow' },
      resultPath: '$.backup',
    });
    const retention = handlerTask(this, 'ApplyRetention', {
      fn: props.applyRetention,
      payload: { 'target.$': '$.target', trigger: 'backup' },
      resultPath: '$.retention',
    });
    // The backup itself succeeded and was announced; a retention failure is reported as such.
    retention.addCatch(failureEnd(this, { workflow: 'retention', reportFailure: props.reportFailure, idPrefix: 'Retention' }), {
      resultPath: '$.error',
    });
    start.addCatch(failed, { resultPath: '$.error' });
    check.addCatch(failed, { resultPath: '$.error' });

    const progress = new sfn.Choice(this, 'BackupProgress')
      .when(sfn.Condition.stringEquals('$.backup.progress.state', 'waiting'), wait)
      .when(sfn.Condition.stringEquals('$.backup.progress.state', 'completed'), retention.next(new sfn.Succeed(this, 'BackupCompleted')))
      .when(
        sfn.Condition.stringEquals('$.backup.progress.state', 'failed'),
        new sfn.Fail(this, 'BackupFailed', { error: 'BackupFailed', causePath: '$.backup.progress.reason' }),
      )
      .otherwise(new sfn.Fail(this, 'BackupTimedOut', { error: 'BackupTimedOut', causePath: '$.backup.progress.reason' }));

    this.stateMachine = workflowStateMachine(this, {
      definition: start.next(wait).next(check).next(progress),
      timeout: props.longestBackupTimeout.plus(Duration.minutes(30)),
      logRetention: props.logRetention,
    });
  }
}
