import * as z from 'zod';
import type { WorkflowStarter } from '../adapters/workflow-starter';
import { executionNameFor } from '../domain/execution-name';
import { TargetNameSchema } from '../domain/target-spec';
import { parseInput } from '../domain/validation';
import { IsoTimestamp } from '../domain/workflow-input';
import type { Log } from '../runtime/logger';

const ScheduleEventSchema = z.strictObject({
  workflow: z.enum(['backup', 'retention', 'drill']),
  target: TargetNameSchema,
  scheduledTime: IsoTimestamp,
});

export interface DispatchDependencies {
  starter: WorkflowStarter;
  stateMachineArn: (workflow: 'backup' | 'retention' | 'drill') => string;
  log: Log;
}

export interface DispatchResult {
  started: boolean;
  executionName: string;
  executionArn: string;
}

/** Target of the EventBridge schedules: starts the slot's execution under a name derived from target and time. */
export function createDispatchSchedule(deps: DispatchDependencies) {
  return async (event: unknown): Promise<DispatchResult> => {
    const { workflow, target, scheduledTime } = parseInput(ScheduleEventSchema, event, 'schedule event');
    const executionName = executionNameFor(target, workflow, new Date(scheduledTime));
    deps.log.appendKeys({ target, execution: executionName });
    const { started, executionArn } = await deps.starter.start({
      stateMachineArn: deps.stateMachineArn(workflow),
      name: executionName,
      input: { target, scheduledTime },
    });
    deps.log.info(started ? 'execution started' : 'duplicate delivery: the execution of this slot already exists', { workflow });
    return { started, executionName, executionArn };
  };
}
