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
  /** The longest a backup of any target may take (not-started plus running deadline); the execution stops a little after. */
  readonly longestBackupTimeout: Duration;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The backup workflow: BackupProgress -> (StartBackup -> BackupProgress | Wait -> CheckBackup -> BackupProgress |
 * completed -> ApplyRetention | skipped | failed | timed out). Every wait is a Step Functions Wait state whose length
 * the start and check steps choose.
 *
 * Input: `{ target, scheduledTime? }` by hand. A scheduled slot is started by its fan-out, which has already run
 * StartBackup inside its lane and passes `backup` (its result) to decide on, or `startError` when that failed: the
 * execution then reports and fails with it, as a manual run of the same slot would. The one Choice decides both how
 * the slot starts and how its backup goes on: Standard workflows bill every state entered, and a separate entry
 * Choice was one more transition in every hourly slot of every target.
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
      payload: { input: { 'target.$': '$.target' }, trigger: 'backup' },
      resultPath: '$.retention',
    });
    // The backup itself succeeded and was announced: a retention failure is reported as such (Retention Failed, the
    // WorkflowFailed metric) and the execution still succeeds; the next run completes the retention.
    retention.addCatch(
      failureEnd(this, {
        workflow: 'retention',
        reportFailure: props.reportFailure,
        idPrefix: 'Retention',
        thenSucceed: new sfn.Succeed(this, 'BackupCompletedRetentionFailed'),
      }),
      { resultPath: '$.error' },
    );
    start.addCatch(failed, { resultPath: '$.error' });
    check.addCatch(failed, { resultPath: '$.error' });

    const startFailed = new sfn.Pass(this, 'SlotStartFailed', { inputPath: '$.startError', resultPath: '$.error' }).next(failed);
    const progress = new sfn.Choice(this, 'BackupProgress')
      .when(sfn.Condition.isPresent('$.startError'), startFailed)
      // A run by hand: nothing started yet. (`Not IsPresent`, which the local workflow runner evaluates as Step
      // Functions does; aws-local-stepfunctions never matches `IsPresent: false`.)
      .when(sfn.Condition.not(sfn.Condition.isPresent('$.backup')), start)
      .when(sfn.Condition.stringEquals('$.backup.progress.state', 'waiting'), wait.next(check))
      .when(sfn.Condition.stringEquals('$.backup.progress.state', 'completed'), retention.next(new sfn.Succeed(this, 'BackupCompleted')))
      // An earlier backup of the cluster is still in flight: this slot took none, and said so (Backup Skipped).
      .when(sfn.Condition.stringEquals('$.backup.progress.state', 'skipped'), new sfn.Succeed(this, 'BackupSkipped'))
      .when(
        sfn.Condition.stringEquals('$.backup.progress.state', 'failed'),
        new sfn.Fail(this, 'BackupFailed', { error: 'BackupFailed', causePath: '$.backup.progress.reason' }),
      )
      .otherwise(new sfn.Fail(this, 'BackupTimedOut', { error: 'BackupTimedOut', causePath: '$.backup.progress.reason' }));
    check.next(progress);
    start.next(progress);

    this.stateMachine = workflowStateMachine(this, {
      definition: progress,
      timeout: props.longestBackupTimeout.plus(Duration.minutes(30)),
      logRetention: props.logRetention,
    });
  }
}
