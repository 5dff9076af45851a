import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { RETRYABLE_ERROR_NAMES } from '../lambdas/errors';
import type { WorkflowKind } from '../lambdas/domain/workflow-failure';

/** How long a Lambda step may take beyond its function's own timeout before Step Functions gives up on it. */
const TASK_TIMEOUT_MARGIN = Duration.seconds(30);

/**
 * A Lambda step of a workflow: transient failures (Kubernetes 429/5xx beyond the adapter's own retries, resets,
 * Lambda throttles, a Lambda that timed out: Sandbox.Timedout, or a step that outlived its TimeoutSeconds:
 * States.Timeout) are retried with exponential backoff and full jitter by Step Functions, so no Lambda waits for
 * long; anything else fails fast.
 */
export function handlerTask(
  scope: Construct,
  id: string,
  props: { fn: lambda.IFunction; payload: Record<string, unknown>; resultPath?: string; resultSelector?: Record<string, unknown> },
): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction: props.fn,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject(props.payload),
    ...(props.resultPath && { resultPath: props.resultPath }),
    ...(props.resultSelector && { resultSelector: props.resultSelector }),
    retryOnServiceExceptions: false,
    ...(props.fn instanceof lambda.Function &&
      props.fn.timeout && { taskTimeout: sfn.Timeout.duration(props.fn.timeout.plus(TASK_TIMEOUT_MARGIN)) }),
  });
  task.addRetry({
    errors: [...RETRYABLE_ERROR_NAMES],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 6,
    maxDelay: Duration.seconds(60),
    jitterStrategy: sfn.JitterType.FULL,
  });
  return task;
}

/**
 * The catch-all end of a workflow: report `<Workflow> Failed`, then fail with the original error, or, with
 * `thenSucceed`, end in that Succeed state (a failure that must not turn the execution red, reported all the same).
 */
export function failureEnd(
  scope: Construct,
  props: { workflow: WorkflowKind; reportFailure: lambda.IFunction; idPrefix?: string; thenSucceed?: sfn.Succeed },
): sfn.IChainable {
  const prefix = props.idPrefix ?? '';
  const fail: sfn.IChainable =
    props.thenSucceed ?? new sfn.Fail(scope, `${prefix}WorkflowFailed`, { errorPath: '$.error.Error', causePath: '$.error.Cause' });
  const report = new tasks.LambdaInvoke(scope, `${prefix}ReportFailure`, {
    lambdaFunction: props.reportFailure,
    payloadResponseOnly: true,
    payload: sfn.TaskInput.fromObject({
      workflow: props.workflow,
      'execution.$': '$$.Execution.Name',
      'error.$': '$.error',
      'input.$': '$$.Execution.Input',
    }),
    resultPath: sfn.JsonPath.DISCARD,
  });
  report.addRetry({
    errors: [...RETRYABLE_ERROR_NAMES],
    interval: Duration.seconds(2),
    maxAttempts: 3,
    jitterStrategy: sfn.JitterType.FULL,
  });
  // If even the report fails, the execution still fails with the error that brought it here.
  report.addCatch(fail, { resultPath: '$.reportError' });
  return report.next(fail);
}

/**
 * A workflow as every one here is built: Standard (exactly-once, long waits), JSONPath (so the local runner executes
 * it as deployed), X-Ray traced, every state logged to a group with a retention.
 */
export function workflowStateMachine(
  scope: Construct,
  props: { definition: sfn.IChainable; timeout: Duration; logRetention: logs.RetentionDays },
): sfn.StateMachine {
  return new sfn.StateMachine(scope, 'StateMachine', {
    stateMachineType: sfn.StateMachineType.STANDARD,
    queryLanguage: sfn.QueryLanguage.JSON_PATH,
    definitionBody: sfn.DefinitionBody.fromChainable(props.definition),
    timeout: props.timeout,
    tracingEnabled: true,
    logs: {
      destination: new logs.LogGroup(scope, 'Logs', { retention: props.logRetention }),
      level: sfn.LogLevel.ALL,
      includeExecutionData: true,
    },
  });
}
