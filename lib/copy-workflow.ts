import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { COPY_DEADLINE_HOURS, LONGEST_COPY_WAIT_SECONDS } from '../lambdas/domain/copy-progress';
import { failureEnd, handlerTask, workflowStateMachine } from './workflow-tasks';

export interface CopyWorkflowProps {
  readonly startCopies: lambda.IFunction;
  readonly checkCopies: lambda.IFunction;
  readonly reportFailure: lambda.IFunction;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The copy of a completed backup to its target's DR Region: StartSnapshotCopies -> CopyProgress -> (WaitForCopies ->
 * CheckSnapshotCopies -> CopyProgress | completed | not due | failed). EBS copies across Regions take minutes to hours:
 * every wait is a Step Functions Wait state whose length the step before chose (5 minutes doubling to 30), no Lambda
 * waits. Input: `{ target, backup }` (copy-workflow-input.ts), from the rule on `Backup Completed`.
 */
export class CopyWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: CopyWorkflowProps) {
    super(scope, id);
    const failed = failureEnd(this, { workflow: 'copy', reportFailure: props.reportFailure });
    const start = handlerTask(this, 'StartSnapshotCopies', {
      fn: props.startCopies,
      payload: { 'input.$': '$' },
      resultPath: '$.copy',
    });
    const wait = new sfn.Wait(this, 'WaitForCopies', { time: sfn.WaitTime.secondsPath('$.copy.progress.waitSeconds') });
    const check = handlerTask(this, 'CheckSnapshotCopies', {
      fn: props.checkCopies,
      payload: { 'target.$': '$.target', 'backup.$': '$.backup', 'follow.$': '$.copy.follow' },
      resultPath: '$.copy',
    });
    start.addCatch(failed, { resultPath: '$.error' });
    check.addCatch(failed, { resultPath: '$.error' });
    const progress = new sfn.Choice(this, 'CopyProgress')
      .when(sfn.Condition.stringEquals('$.copy.progress.state', 'waiting'), wait.next(check))
      .when(sfn.Condition.stringEquals('$.copy.progress.state', 'completed'), new sfn.Succeed(this, 'CopiesCompleted'))
      .when(sfn.Condition.stringEquals('$.copy.progress.state', 'notDue'), new sfn.Succeed(this, 'CopyNotDue'))
      // The check deleted the copies and published Copy Failed: the execution fails (its alarm) with the reason.
      .otherwise(new sfn.Fail(this, 'CopyFailed', { error: 'CopyFailed', causePath: '$.copy.progress.reason' }));
    start.next(progress);
    check.next(progress);
    this.stateMachine = workflowStateMachine(this, {
      definition: start,
      // The check fails a copy still pending COPY_DEADLINE_HOURS after it started; the execution may take that, one
      // longest wait and the steps' retries more, so it stops only if the check itself stops running.
      timeout: Duration.hours(COPY_DEADLINE_HOURS).plus(Duration.seconds(LONGEST_COPY_WAIT_SECONDS)).plus(Duration.minutes(30)),
      logRetention: props.logRetention,
    });
  }
}
