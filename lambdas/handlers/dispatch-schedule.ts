import type { WorkflowStarter } from '../adapters/workflow-starter';
import { FanOutTickSchema, tickExecutionName, type FannedWorkflow } from '../domain/fan-out-schedule';
import { parseInput } from '../domain/validation';
import type { Log } from '../runtime/logger';

export interface DispatchDependencies {
  starter: WorkflowStarter;
  /** The fan-out state machine of each workflow. */
  stateMachineArn: (workflow: FannedWorkflow) => string;
  log: Log;
}

export interface DispatchResult {
  started: boolean;
  executionName: string;
  executionArn: string;
}

/** Target of the EventBridge schedules: starts the firing's tick under a name derived from expression and time. */
export function createDispatchSchedule(deps: DispatchDependencies) {
  return async (event: unknown): Promise<DispatchResult> => {
    const tick = parseInput(FanOutTickSchema, event, 'schedule event');
    const executionName = tickExecutionName(tick);
    deps.log.appendKeys({ execution: executionName });
    const { started, executionArn } = await deps.starter.start({
      stateMachineArn: deps.stateMachineArn(tick.workflow),
      name: executionName,
      input: tick,
    });
    deps.log.info(started ? 'tick started' : 'duplicate delivery: the tick of this firing already exists', {
      workflow: tick.workflow,
      schedule: tick.schedule,
    });
    return { started, executionName, executionArn };
  };
}
