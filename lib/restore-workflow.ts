import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { failureEnd, handlerTask, workflowStateMachine } from './workflow-tasks';

export interface RestoreWorkflowProps {
  readonly createCluster: lambda.IFunction;
  readonly checkRestore: lambda.IFunction;
  readonly reportFailure: lambda.IFunction;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The restore workflow: CreateRestoreCluster -> Wait -> CheckRestore -> (wait again | ready | failed | timed out).
 * Polls on a short fixed interval so the measured recovery time stays within one interval of the real one.
 */
export class RestoreWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RestoreWorkflowProps) {
    super(scope, id);
    const failed = failureEnd(this, { workflow: 'restore', reportFailure: props.reportFailure });
    const create = handlerTask(this, 'CreateRestoreCluster', {
      fn: props.createCluster,
      payload: { 'input.$': '$' },
      resultPath: '$.restore',
    });
    const wait = new sfn.Wait(this, 'WaitForRestore', { time: sfn.WaitTime.secondsPath('$.restore.progress.waitSeconds') });
    const check = handlerTask(this, 'CheckRestore', {
      fn: props.checkRestore,
      payload: {
        'context.$': '$.restore.context',
        'checks.$': '$.restore.checks',
        'timeoutSeconds.$': '$.restore.timeoutSeconds',
      },
      resultPath: '$.restore',
    });
    create.addCatch(failed, { resultPath: '$.error' });
    check.addCatch(failed, { resultPath: '$.error' });
    const progress = new sfn.Choice(this, 'RestoreProgress')
      .when(sfn.Condition.stringEquals('$.restore.progress.state', 'waiting'), wait)
      .when(sfn.Condition.stringEquals('$.restore.progress.state', 'ready'), new sfn.Succeed(this, 'RestoreCompleted'))
      .when(
        sfn.Condition.stringEquals('$.restore.progress.state', 'failed'),
        new sfn.Fail(this, 'RestoreFailed', { error: 'RestoreFailed', causePath: '$.restore.progress.reason' }),
      )
      .otherwise(new sfn.Fail(this, 'RestoreTimedOut', { error: 'RestoreTimedOut', causePath: '$.restore.progress.reason' }));

    this.stateMachine = workflowStateMachine(this, {
      definition: create.next(wait).next(check).next(progress),
      // Requests may allow up to a day (timeoutMinutes); the execution stops a little after that.
      timeout: Duration.hours(25),
      logRetention: props.logRetention,
    });
  }
}
