import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { InvalidInputError } from '../../lambdas/errors';
import { StepFunctionsWorkflowStarter, type WorkflowStarter } from '../../lambdas/adapters/workflow-starter';
import { fanOutScheduleId } from '../../lambdas/domain/fan-out-schedule';
import { createDispatchSchedule } from '../../lambdas/handlers/dispatch-schedule';
import { MemoryLog } from '../../simulator/memory-log';

const HOURLY = 'cron(0 * * * ? *)';

function dispatcher() {
  const started: Array<{ stateMachineArn: string; name: string; input: unknown }> = [];
  const names = new Set<string>();
  const starter: WorkflowStarter = {
    start: async (request) => {
      started.push(request);
      const fresh = !names.has(request.name);
      names.add(request.name);
      return { started: fresh, executionArn: `${request.stateMachineArn}:${request.name}` };
    },
  };
  const dispatch = createDispatchSchedule({ starter, stateMachineArn: (workflow) => `arn:${workflow}-fan-out`, log: new MemoryLog() });
  return { dispatch, started };
}

describe('dispatching a schedule firing', () => {
  test("starts the workflow's fan-out under a name derived from the expression and the slot, with the firing as input", async () => {
    const { dispatch, started } = dispatcher();
    const firing = { workflow: 'backup', schedule: HOURLY, scheduledTime: '2026-11-25T05:00:00Z' };
    const result = await dispatch(firing);
    const name = `${fanOutScheduleId('backup', HOURLY)}-20261125050000`;
    expect(result).toEqual({ started: true, executionName: name, executionArn: `arn:backup-fan-out:${name}` });
    expect(started).toEqual([{ stateMachineArn: 'arn:backup-fan-out', name, input: firing }]);
  });

  test('a second delivery of the same firing uses the same name, so Step Functions starts nothing new', async () => {
    const { dispatch } = dispatcher();
    const firing = { workflow: 'retention', schedule: 'cron(30 3 * * ? *)', scheduledTime: '2026-11-25T03:30:00Z' };
    expect((await dispatch(firing)).started).toBe(true);
    expect((await dispatch(firing)).started).toBe(false);
  });

  test('two expressions firing at the same time start two ticks', async () => {
    const { dispatch } = dispatcher();
    const at = '2026-11-25T06:00:00Z';
    const a = await dispatch({ workflow: 'backup', schedule: HOURLY, scheduledTime: at });
    const b = await dispatch({ workflow: 'backup', schedule: 'cron(0 */2 * * ? *)', scheduledTime: at });
    expect(a.executionName).not.toBe(b.executionName);
    expect(b.started).toBe(true);
  });

  test.each([
    ['an unknown workflow', { workflow: 'vacuum', schedule: HOURLY, scheduledTime: '2026-11-25T05:00:00Z' }, 'workflow:'],
    ['a rate expression', { workflow: 'backup', schedule: 'rate(1 hour)', scheduledTime: '2026-11-25T05:00:00Z' }, 'schedule:'],
    ['an unresolved time', { workflow: 'backup', schedule: HOURLY, scheduledTime: '<aws.scheduler.scheduled-time>' }, 'scheduledTime:'],
    ['a target instead of an expression', { workflow: 'backup', target: 'hendrix', scheduledTime: '2026-11-25T05:00:00Z' }, 'target'],
  ])('a firing with %s starts nothing', async (_name, firing, field) => {
    const { dispatch, started } = dispatcher();
    await expect(dispatch(firing)).rejects.toThrow(InvalidInputError);
    await expect(dispatch(firing)).rejects.toThrow(field);
    expect(started).toEqual([]);
  });
});

describe('dispatching through Step Functions', () => {
  const sfn = mockClient(SFNClient);
  afterAll(() => sfn.restore());

  /**
   * StartExecution as the Step Functions API reference describes it: a name in use answers ExecutionAlreadyExists,
   * except for a running execution started with the same input, whose start answers success (idempotent).
   */
  function stepFunctions() {
    const executions = new Map<string, { input: string | undefined; status: 'RUNNING' | 'SUCCEEDED'; startDate: Date }>();
    const arnOf = (input: StartExecutionCommandInput) =>
      `${input.stateMachineArn!.replace(':stateMachine:', ':execution:')}:${input.name!}`;
    sfn.reset();
    sfn.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => {
      const executionArn = arnOf(input);
      const existing = executions.get(executionArn);
      if (existing && (existing.status !== 'RUNNING' || existing.input !== input.input))
        throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${executionArn}'`, $metadata: {} });
      if (existing) return { executionArn, startDate: existing.startDate };
      const startDate = new Date();
      executions.set(executionArn, { input: input.input, status: 'RUNNING', startDate });
      return { executionArn, startDate };
    });
    sfn.on(DescribeExecutionCommand).callsFake(({ executionArn }: { executionArn: string }) => {
      const execution = executions.get(executionArn);
      if (!execution) throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${executionArn}'`, $metadata: {} });
      return { executionArn, status: execution.status, startDate: execution.startDate, input: execution.input };
    });
    const dispatch = createDispatchSchedule({
      starter: new StepFunctionsWorkflowStarter(new SFNClient({ region: 'eu-west-1' })),
      stateMachineArn: (workflow) => `arn:aws:states:eu-west-1:123456789012:stateMachine:${workflow}`,
      log: new MemoryLog(),
    });
    return { dispatch, starts: () => sfn.commandCalls(StartExecutionCommand).length };
  }

  test('a second delivery of a firing whose tick is still running is reported as a duplicate', async () => {
    const { dispatch, starts } = stepFunctions();
    const event = { workflow: 'backup', schedule: HOURLY, scheduledTime: '2026-11-25T05:00:00Z' };
    const name = `${fanOutScheduleId('backup', HOURLY)}-20261125050000`;
    expect((await dispatch(event)).started).toBe(true);
    expect(await dispatch(event)).toEqual({
      started: false,
      executionName: name,
      executionArn: `arn:aws:states:eu-west-1:123456789012:execution:backup:${name}`,
    });
    expect(starts()).toBe(1);
  });

  test('the first delivery of a firing starts its tick', async () => {
    const { dispatch, starts } = stepFunctions();
    const event = { workflow: 'retention', schedule: 'cron(30 3 * * ? *)', scheduledTime: '2026-11-25T03:30:00Z' };
    expect(await dispatch(event)).toMatchObject({ started: true });
    expect(starts()).toBe(1);
  });
});
