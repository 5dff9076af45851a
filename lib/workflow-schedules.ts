import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import { Duration } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { FanOutSchedule } from '../lambdas/domain/fan-out-schedule';

export interface WorkflowSchedulesProps {
  /** One per workflow and distinct cron expression (fanOutSchedules). */
  readonly schedules: readonly FanOutSchedule[];
  /** The dispatcher that turns a schedule firing into a uniquely named tick of the fan-out. */
  readonly dispatcher: lambda.IFunction;
}

/**
 * One EventBridge Scheduler schedule per workflow and distinct cron expression, never one per target: each firing
 * invokes the dispatcher with the workflow, the expression and the slot's scheduled time, and the tick it starts
 * finds the targets due on that expression.
 */
export class WorkflowSchedules extends Construct {
  readonly group: scheduler.ScheduleGroup;

  constructor(scope: Construct, id: string, props: WorkflowSchedulesProps) {
    super(scope, id);
    const group = new scheduler.ScheduleGroup(this, 'Group', {});
    this.group = group;
    for (const { workflow, expression, id: scheduleId } of props.schedules) {
      new scheduler.Schedule(this, scheduleId, {
        // Named after the expression, so it is stable across deploys and an operator can find it.
        scheduleName: scheduleId,
        scheduleGroup: group,
        description: `cnpg-snapshot-scheduler ${workflow} of every target on ${expression}`,
        schedule: scheduler.ScheduleExpression.expression(expression),
        target: new targets.LambdaInvoke(props.dispatcher, {
          input: scheduler.ScheduleTargetInput.fromObject({
            workflow,
            schedule: expression,
            scheduledTime: scheduler.ContextAttribute.scheduledTime,
          }),
          retryAttempts: 10,
          maxEventAge: Duration.minutes(30),
        }),
      });
    }
  }
}
