import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { TargetSpec } from '../lambdas/domain/target-spec';

export interface WorkflowSchedulesProps {
  readonly targets: readonly TargetSpec[];
  /** The dispatcher that turns a schedule firing into a uniquely named execution. */
  readonly dispatcher: lambda.IFunction;
  /** The workflows the dispatcher can start. */
  readonly workflows: ReadonlyArray<'backup' | 'retention' | 'drill'>;
}

/**
 * One EventBridge Scheduler schedule per target and workflow (backup on the target's schedule, retention sweep on the
 * retention schedule, restore drill on the drill schedule unless drills are off), each invoking the dispatcher with the
 * target's name and the slot's scheduled time.
 */
export class WorkflowSchedules extends Construct {
  readonly group: scheduler.ScheduleGroup;

  constructor(scope: Construct, id: string, props: WorkflowSchedulesProps) {
    super(scope, id);
    const group = new scheduler.ScheduleGroup(this, 'Group', {});
    this.group = group;
    for (const target of props.targets) {
      for (const workflow of props.workflows) {
        // A target whose drills are turned off gets no drill schedule (an on-demand drill still runs).
        if (workflow === 'drill' && !target.drill.enabled) continue;
        const expression = { backup: target.schedule, retention: target.retention.schedule, drill: target.drill.schedule }[workflow];
        new scheduler.Schedule(this, `${target.name}-${workflow}`, {
          // A stable name in the stack's own group, so an operator can find a target's schedule (and its input).
          scheduleName: `${target.name}-${workflow}`,
          scheduleGroup: group,
          description: `cnpg-snapshot-scheduler ${workflow} of ${target.namespace}/${target.cluster} on ${target.eksCluster}`,
          schedule: scheduler.ScheduleExpression.expression(expression),
          target: new targets.LambdaInvoke(props.dispatcher, {
            input: scheduler.ScheduleTargetInput.fromObject({
              workflow,
              target: target.name,
              scheduledTime: scheduler.ContextAttribute.scheduledTime,
            }),
            retryAttempts: 10,
            maxEventAge: Duration.minutes(30),
          }),
        });
      }
    }
  }
}
