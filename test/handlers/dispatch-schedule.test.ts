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
import { createDispatchSchedule } from '../../lambdas/handlers/dispatch-schedule';
import { MemoryLog } from '../../simulator/memory-log';

const target = 'hendrix';

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
  const dispatch = createDispatchSchedule({ starter, stateMachineArn: (workflow) => `arn:${workflow}`, log: new MemoryLog() });
  return { dispatch, started };
}

describe('dispatching a schedule firing', () => {
  test("names the execution after the target, the workflow and the slot, and passes the target's name and time on", async () => {
    const { dispatch, started } = dispatcher();
    const result = await dispatch({ workflow: 'backup', target, scheduledTime: '2026-11-25T05:00:00Z' });
    expect(result).toEqual({
      started: true,
      executionName: 'hendrix-backup-20261125050000',
      executionArn: 'arn:backup:hendrix-backup-20261125050000',
    });
    expect(started[0]).toEqual({
      stateMachineArn: 'arn:backup',
      name: 'hendrix-backup-20261125050000',
      input: { target: 'hendrix', scheduledTime: '2026-11-25T05:00:00Z' },
    });
  });

  test('a second delivery of the same slot uses the same name, so Step Functions starts nothing new', async () => {
    const { dispatch } = dispatcher();
    const event = { workflow: 'retention', target, scheduledTime: '2026-11-25T03:30:00Z' };
    expect((await dispatch(event)).started).toBe(true);
    expect(await dispatch(event)).toMatchObject({ started: false, executionName: 'hendrix-retention-20261125033000' });
  });

  test('execution names stay within the 80 characters Step Functions allows', async () => {
    const { dispatch } = dispatcher();
    const result = await dispatch({
      workflow: 'retention',
      target: 'x'.repeat(40),
      scheduledTime: '2026-11-25T03:30:00Z',
    });
    expect(result.executionName.length).toBeLessThanOrEqual(80);
  });

  test('a malformed firing starts nothing', async () => {
    const { dispatch, started } = dispatcher();
    await expect(dispatch({ workflow: 'vacuum', target, scheduledTime: '<aws.scheduler.scheduled-time>' })).rejects.toThrow(
      InvalidInputError,
    );
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

  test('a second delivery of a slot whose execution is still running is reported as a duplicate', async () => {
    const { dispatch, starts } = stepFunctions();
    const event = { workflow: 'backup', target, scheduledTime: '2026-11-25T05:00:00Z' };
    expect((await dispatch(event)).started).toBe(true);
    expect(await dispatch(event)).toEqual({
      started: false,
      executionName: 'hendrix-backup-20261125050000',
      executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:backup:hendrix-backup-20261125050000',
    });
    expect(starts()).toBe(1);
  });

  test('the first delivery of a slot starts its execution', async () => {
    const { dispatch, starts } = stepFunctions();
    expect(await dispatch({ workflow: 'retention', target, scheduledTime: '2026-11-25T03:30:00Z' })).toMatchObject({ started: true });
    expect(starts()).toBe(1);
  });
});
