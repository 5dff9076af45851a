import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { FanOutItemResult, FanOutOutcome } from '../lambdas/domain/fan-out-events';
import type { FannedWorkflow } from '../lambdas/domain/fan-out-schedule';
import { handlerTask, workflowStateMachine } from './workflow-tasks';

/**
 * Step Functions' error for a StartExecution whose name is taken (service integration errors are named
 * `<Service>.<Exception>`): the slot's execution exists, so this tick starts nothing for it.
 */
export const EXECUTION_ALREADY_EXISTS = 'StepFunctions.ExecutionAlreadyExistsException';

/** What a lane item ends with, as ReportFanOut reads it (FanOutItemResultSchema). */
const result = (outcome: FanOutOutcome): FanOutItemResult => ({ outcome });

export interface FanOutWorkflowProps {
  readonly workflow: FannedWorkflow;
  /** Finds the due targets of a tick and deals them into lanes. */
  readonly planFanOut: lambda.IFunction;
  /** Publishes the tick's summary event. */
  readonly reportFanOut: lambda.IFunction;
  /** backup: creates the slot's Backup, then the backup workflow follows it. */
  readonly startBackup?: lambda.IFunction;
  readonly backupWorkflow?: sfn.IStateMachine;
  /** retention: the sweep of one target. */
  readonly applyRetention?: lambda.IFunction;
  /** retention: the DR copies' own retention of the target, after its sweep, when the deployment makes copies. */
  readonly applyCopyRetention?: lambda.IFunction;
  /** retention: the reconciliation of the target's recovery-point catalog, after its sweep. */
  readonly reconcileRecoveryPoints?: lambda.IFunction;
  readonly reportFailure?: lambda.IFunction;
  /** drill: the drill workflow, started per target. */
  readonly drillWorkflow?: sfn.IStateMachine;
  /** Lanes that may run at once: EKS clusters times the lanes each may have. */
  readonly maxLanes: number;
  readonly logRetention: logs.RetentionDays;
}

/**
 * One tick of a schedule: PlanFanOut finds the targets due on the tick's expression and deals them into lanes (at
 * most `concurrencyPerEksCluster` per EKS cluster); a Distributed Map runs the lanes side by side as child executions,
 * each working through its targets one at a time; ReportFanOut publishes what was started. Every target's step is
 * caught, so one target never stops the others.
 *
 * backup: each target's Backup is created inside its lane (the burst of Kubernetes requests is what the lanes bound),
 * then its backup workflow is started under the slot's execution name with that Backup to follow. A target whose
 * Backup cannot be created gets its backup execution all the same, which fails with the error, as a manual run would.
 * retention: each target's sweep, then the reconciliation of its catalog, run inside its lane; a failure of either is
 * reported as the retention failure of the target.
 * drill: each target's drill workflow is started under the slot's execution name (the drill does its own reporting).
 */
export class FanOutWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: FanOutWorkflowProps) {
    super(scope, id);
    const plan = handlerTask(this, 'PlanFanOut', { fn: props.planFanOut, payload: { 'tick.$': '$' }, resultPath: '$.plan' });
    const lanes = new sfn.DistributedMap(this, 'Lanes', {
      itemsPath: '$.plan.lanes',
      maxConcurrency: props.maxLanes,
      mapExecutionType: sfn.StateMachineType.STANDARD,
      itemSelector: { 'lane.$': '$$.Map.Item.Value', 'scheduledTime.$': '$.scheduledTime' },
      resultPath: '$.lanes',
    });
    const targets = new sfn.Map(this, 'TargetsOfLane', {
      itemsPath: '$.lane.items',
      maxConcurrency: 1,
      itemSelector: { 'item.$': '$$.Map.Item.Value', 'scheduledTime.$': '$.scheduledTime' },
    });
    const items = { backup: () => this.backupItem(props), retention: () => this.retentionItem(props), drill: () => this.drillItem(props) };
    targets.itemProcessor(items[props.workflow]());
    lanes.itemProcessor(targets);
    const report = handlerTask(this, 'ReportFanOut', {
      fn: props.reportFanOut,
      payload: { 'tick.$': '$$.Execution.Input', 'due.$': '$.plan.due', 'conflicts.$': '$.plan.conflicts', 'lanes.$': '$.lanes' },
      resultPath: '$.summary',
    });
    this.stateMachine = workflowStateMachine(this, {
      definition: plan.next(lanes).next(report).next(new sfn.Succeed(this, 'FannedOut')),
      timeout: Duration.hours(1),
      logRetention: props.logRetention,
    });
  }

  private backupItem(props: FanOutWorkflowProps): sfn.IChainable {
    const alreadyStarted = new sfn.Pass(this, 'SlotAlreadyStarted', { parameters: result('alreadyStarted') });
    const start = (id: string, outcome: FanOutOutcome, extra: Record<string, string>) => {
      const task = new tasks.StepFunctionsStartExecution(this, id, {
        stateMachine: props.backupWorkflow!,
        name: sfn.JsonPath.stringAt('$.item.executionName'),
        input: sfn.TaskInput.fromObject({ 'target.$': '$.item.target', 'scheduledTime.$': '$.scheduledTime', ...extra }),
        // No ResultPath: the default, '$', makes the outcome the item's whole output.
        resultSelector: result(outcome),
      });
      task.addRetry({
        errors: ['StepFunctions.SdkClientException', 'StepFunctions.ExecutionLimitExceededException'],
        interval: Duration.seconds(2),
        maxAttempts: 6,
        backoffRate: 2,
        jitterStrategy: sfn.JitterType.FULL,
      });
      task.addCatch(alreadyStarted, { errors: [EXECUTION_ALREADY_EXISTS] });
      return task;
    };
    const createBackup = handlerTask(this, 'CreateSlotBackup', {
      fn: props.startBackup!,
      payload: { input: { 'target.$': '$.item.target', 'scheduledTime.$': '$.scheduledTime' }, 'executionName.$': '$.item.executionName' },
      resultPath: '$.backup',
    });
    createBackup.addCatch(start('StartFailedSlot', 'failedToStart', { 'startError.$': '$.startError' }), { resultPath: '$.startError' });
    return createBackup.next(start('StartSlotExecution', 'started', { 'backup.$': '$.backup' }));
  }

  private retentionItem(props: FanOutWorkflowProps): sfn.IChainable {
    const input = { 'target.$': '$.item.target', 'scheduledTime.$': '$.scheduledTime' };
    const sweep = handlerTask(this, 'SweepTarget', {
      fn: props.applyRetention!,
      payload: { input, trigger: 'schedule' },
      resultPath: sfn.JsonPath.DISCARD,
    });
    const reconcile = handlerTask(this, 'ReconcileTarget', {
      fn: props.reconcileRecoveryPoints!,
      payload: { input },
      ...(props.applyCopyRetention ? { resultPath: sfn.JsonPath.DISCARD } : { resultSelector: result('swept') }),
    });
    const sweepCopies =
      props.applyCopyRetention &&
      handlerTask(this, 'SweepCopies', { fn: props.applyCopyRetention, payload: { input }, resultSelector: result('swept') });
    const report = new tasks.LambdaInvoke(this, 'ReportSweepFailure', {
      lambdaFunction: props.reportFailure!,
      payloadResponseOnly: true,
      payload: sfn.TaskInput.fromObject({
        workflow: 'retention',
        'execution.$': '$.item.executionName',
        'error.$': '$.error',
        input: { 'target.$': '$.item.target' },
      }),
      resultSelector: result('failed'),
    });
    // Even a failed report must not stop the lane: the sweep's failure is then only in this execution's history.
    report.addCatch(new sfn.Pass(this, 'SweepFailureUnreported', { parameters: result('failed') }));
    sweep.addCatch(report, { resultPath: '$.error' });
    reconcile.addCatch(report, { resultPath: '$.error' });
    if (!sweepCopies) return sweep.next(reconcile);
    sweepCopies.addCatch(report, { resultPath: '$.error' });
    return sweep.next(reconcile).next(sweepCopies);
  }

  private drillItem(props: FanOutWorkflowProps): sfn.IChainable {
    const start = new tasks.StepFunctionsStartExecution(this, 'StartDrillExecution', {
      stateMachine: props.drillWorkflow!,
      name: sfn.JsonPath.stringAt('$.item.executionName'),
      input: sfn.TaskInput.fromObject({ 'target.$': '$.item.target', 'scheduledTime.$': '$.scheduledTime' }),
      resultSelector: result('started'),
    });
    start.addRetry({
      errors: ['StepFunctions.SdkClientException', 'StepFunctions.ExecutionLimitExceededException'],
      interval: Duration.seconds(2),
      maxAttempts: 6,
      backoffRate: 2,
      jitterStrategy: sfn.JitterType.FULL,
    });
    start.addCatch(new sfn.Pass(this, 'DrillAlreadyStarted', { parameters: result('alreadyStarted') }), {
      errors: [EXECUTION_ALREADY_EXISTS],
    });
    // Any other failure to start is counted in the summary; the lane goes on with its next target.
    start.addCatch(new sfn.Pass(this, 'DrillNotStarted', { parameters: result('failedToStart') }));
    return start;
  }
}
