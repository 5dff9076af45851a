import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { failureEnd, handlerTask, workflowStateMachine } from './workflow-tasks';

export interface RetentionWorkflowProps {
  readonly applyRetention: lambda.IFunction;
  /** The DR copies' own retention (lib/snapshot-copies.ts), after the source's, when the deployment makes copies. */
  readonly applyCopyRetention?: lambda.IFunction;
  /** AWS only: stops the catalog claiming storage snapshots that are gone. */
  readonly reconcileRecoveryPoints: lambda.IFunction;
  readonly reportFailure: lambda.IFunction;
  readonly logRetention: logs.RetentionDays;
}

/**
 * The daily retention sweep of a target (failed backups past failedKeep, orphaned snapshots, and the policy itself
 * when no backup completed lately), then the reconciliation of its recovery-point catalog with the storage snapshots
 * that exist. Input: `{ target, scheduledTime?, dryRun? }`; either step's failure is reported as the retention's.
 */
export class RetentionWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RetentionWorkflowProps) {
    super(scope, id);
    const apply = handlerTask(this, 'ApplyRetention', {
      fn: props.applyRetention,
      // The whole input, so that dryRun reaches the handler and every field is validated there.
      payload: { 'input.$': '$', trigger: 'schedule' },
      resultPath: '$.retention',
    });
    const failed = failureEnd(this, { workflow: 'retention', reportFailure: props.reportFailure });
    const reconcile = handlerTask(this, 'ReconcileRecoveryPoints', {
      fn: props.reconcileRecoveryPoints,
      payload: { 'input.$': '$$.Execution.Input' },
      resultPath: '$.reconciliation',
    });
    apply.addCatch(failed, { resultPath: '$.error' });
    reconcile.addCatch(failed, { resultPath: '$.error' });
    apply.next(reconcile);
    let chain: sfn.INextable & sfn.IChainable = reconcile;
    if (props.applyCopyRetention) {
      const copies = handlerTask(this, 'ApplyCopyRetention', {
        fn: props.applyCopyRetention,
        payload: { 'input.$': '$$.Execution.Input' },
        resultPath: '$.copyRetention',
      });
      copies.addCatch(failed, { resultPath: '$.error' });
      reconcile.next(copies);
      chain = copies;
    }
    chain.next(new sfn.Succeed(this, 'RetentionApplied'));
    this.stateMachine = workflowStateMachine(this, {
      definition: apply,
      timeout: Duration.minutes(30),
      logRetention: props.logRetention,
    });
  }
}
