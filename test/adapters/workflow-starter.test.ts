import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { StepFunctionsWorkflowStarter } from '../../lambdas/adapters/workflow-starter';

const sfn = mockClient(SFNClient);
const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Backup';
const executionArn = 'arn:aws:states:eu-west-1:123456789012:execution:Backup:slot';
const startDate = new Date('2026-11-25T05:00:01Z');
const notFound = () => new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${executionArn}'`, $metadata: {} });

const starter = () => new StepFunctionsWorkflowStarter(new SFNClient({}));

describe('starting a named execution', () => {
  beforeEach(() => sfn.reset());

  test('starts the execution with the name and the input as JSON when no execution has the name', async () => {
    sfn.on(DescribeExecutionCommand).rejects(notFound());
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate });
    const result = await starter().start({ stateMachineArn, name: 'slot', input: { a: 1 } });
    expect(result).toEqual({ started: true, executionArn });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({ executionArn });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({ stateMachineArn, name: 'slot', input: '{"a":1}' });
  });

  test('a running execution with the same name is a duplicate, although Step Functions would answer its start with success', async () => {
    // StartExecution with the name and input of a running execution is idempotent: it answers success, not
    // ExecutionAlreadyExists. The mock answers that way, so only the describe can tell the duplicate.
    sfn.on(DescribeExecutionCommand).resolves({ executionArn, stateMachineArn, name: 'slot', status: 'RUNNING', startDate });
    sfn.on(StartExecutionCommand).resolves({ executionArn, startDate });
    const result = await starter().start({ stateMachineArn, name: 'slot', input: {} });
    expect(result).toEqual({ started: false, executionArn });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('a closed execution with the same name is a duplicate and nothing is started', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ executionArn, stateMachineArn, name: 'slot', status: 'SUCCEEDED', startDate });
    expect(await starter().start({ stateMachineArn, name: 'slot', input: {} })).toEqual({ started: false, executionArn });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('a name taken between the describe and the start is a duplicate (ExecutionAlreadyExists)', async () => {
    sfn.on(DescribeExecutionCommand).rejects(notFound());
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    expect(await starter().start({ stateMachineArn, name: 'slot', input: {} })).toEqual({ started: false, executionArn });
  });

  test('a failed describe propagates and starts nothing', async () => {
    sfn.on(DescribeExecutionCommand).rejects(new Error('AccessDenied'));
    await expect(starter().start({ stateMachineArn, name: 'slot', input: {} })).rejects.toThrow('AccessDenied');
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('any other start failure propagates', async () => {
    sfn.on(DescribeExecutionCommand).rejects(notFound());
    sfn.on(StartExecutionCommand).rejects(new Error('StateMachineDoesNotExist'));
    await expect(starter().start({ stateMachineArn, name: 'slot', input: {} })).rejects.toThrow('StateMachineDoesNotExist');
  });
});
