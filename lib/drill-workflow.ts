import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { failureEnd, handlerTask, workflowStateMachine } from './workflow-tasks';

export interface DrillWorkflowProps {
  readonly startDrill: lambda.IFunction;
  readonly checkDrill: lambda.IFunction;
  readonly finishDrill: lambda.IFunction;
  readonly reportFailure: lambda.IFunction;
  /** The longest drill.timeoutMinutes of any target; the execution stops a little after it and the verification. */
  readonly longestDrillTimeout: Duration;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The restore drill: StartDrill -> Wait -> CheckDrill (loops until finished) -> FinishDrill -> passed | failed. Every
 * step that fails is caught and goes to FinishDrill too, which tears down what the drill created and reports the
 * drill failed; only a teardown that itself fails ends in ReportFailure. All waits are Wait states.
 */
export class DrillWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: DrillWorkflowProps) {
    super(scope, id);
    const failed = failureEnd(this, { workflow: 'drill', reportFailure: props.reportFailure });
    // An empty drill record, so that a failure of the first step still reaches the teardown with a well-formed input.
    const prepare = new sfn.Pass(this, 'PrepareDrill', { result: sfn.Result.fromObject({}), resultPath: '$.drill' });
    const start = handlerTask(this, 'StartDrill', {
      fn: props.startDrill,
      payload: { 'input.$': '$$.Execution.Input', 'executionName.$': '$$.Execution.Name' },
      resultPath: '$.drill',
    });
    const wait = new sfn.Wait(this, 'WaitForDrill', { time: sfn.WaitTime.secondsPath('$.drill.progress.waitSeconds') });
    const check = handlerTask(this, 'CheckDrill', {
      fn: props.checkDrill,
      payload: { 'target.$': '$.target', 'executionName.$': '$$.Execution.Name', 'drill.$': '$.drill' },
      resultPath: '$.drill',
    });
    const finishPayload = { 'input.$': '$$.Execution.Input', 'executionName.$': '$$.Execution.Name', 'drill.$': '$.drill' };
    const finish = handlerTask(this, 'FinishDrill', { fn: props.finishDrill, payload: finishPayload, resultPath: '$.finish' });
    const finishAfterError = handlerTask(this, 'FinishDrillAfterError', {
      fn: props.finishDrill,
      payload: { ...finishPayload, 'error.$': '$.error' },
      resultPath: '$.finish',
    });
    for (const step of [start, check]) step.addCatch(finishAfterError, { resultPath: '$.error' });
    for (const step of [finish, finishAfterError]) step.addCatch(failed, { resultPath: '$.error' });

    const verdict = new sfn.Choice(this, 'DrillVerdict')
      .when(sfn.Condition.stringEquals('$.finish.state', 'passed'), new sfn.Succeed(this, 'DrillCompleted'))
      .otherwise(new sfn.Fail(this, 'DrillFailed', { error: 'DrillFailed', cause: 'the drill failed: see its Drill Failed event' }));
    finish.next(verdict);
    finishAfterError.next(verdict);
    const progress = new sfn.Choice(this, 'DrillProgress')
      .when(sfn.Condition.stringEquals('$.drill.progress.state', 'finished'), finish)
      .otherwise(wait);
    start.next(wait);
    wait.next(check);
    check.next(progress);

    this.stateMachine = workflowStateMachine(this, {
      definition: prepare.next(start),
      timeout: props.longestDrillTimeout.plus(Duration.minutes(60)),
      logRetention: props.logRetention,
    });
  }
}
