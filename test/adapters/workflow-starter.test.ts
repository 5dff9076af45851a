import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { StepFunctionsWorkflowStarter } from '../../lambdas/adapters/workflow-starter';

const sfn = mockClient(SFNClient);
const stateMachineArn = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Backup';

describe('starting a named execution', () => {
  beforeEach(() => sfn.reset());

  test('starts the execution with the name and the input as JSON', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${stateMachineArn.replace('stateMachine', 'execution')}:slot` });
    const result = await new StepFunctionsWorkflowStarter(new SFNClient({})).start({ stateMachineArn, name: 'slot', input: { a: 1 } });
    expect(result).toEqual({ started: true, executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:Backup:slot' });
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toEqual({ stateMachineArn, name: 'slot', input: '{"a":1}' });
  });

  test('a name already used starts nothing and is not an error (duplicate schedule delivery)', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const result = await new StepFunctionsWorkflowStarter(new SFNClient({})).start({ stateMachineArn, name: 'slot', input: {} });
    expect(result).toEqual({ started: false, executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:Backup:slot' });
  });

  test('any other failure propagates', async () => {
    sfn.on(StartExecutionCommand).rejects(new Error('AccessDenied'));
    await expect(new StepFunctionsWorkflowStarter(new SFNClient({})).start({ stateMachineArn, name: 'slot', input: {} })).rejects.toThrow(
      'AccessDenied',
    );
  });
});
