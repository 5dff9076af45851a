import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';

/** Starts a Step Functions execution under a given name; a name already used starts nothing. */
export interface WorkflowStarter {
  start(request: { stateMachineArn: string; name: string; input: unknown }): Promise<{ started: boolean; executionArn: string }>;
}

/**
 * Step Functions answers StartExecution in two ways for a name already used: ExecutionAlreadyExists when the execution
 * is closed or its input differs, but success, exactly as for a fresh start, when it is still running with the same
 * input (StartExecution is idempotent then). Only asking first tells a duplicate of a running execution apart, so the
 * execution is described before it is started. Two deliveries racing between the two calls both report a start; one
 * execution runs all the same.
 */
export class StepFunctionsWorkflowStarter implements WorkflowStarter {
  constructor(private readonly client: SFNClient = new SFNClient({})) {}

  async start(request: { stateMachineArn: string; name: string; input: unknown }) {
    const executionArn = `${request.stateMachineArn.replace(':stateMachine:', ':execution:')}:${request.name}`;
    if (await this.exists(executionArn)) return { started: false, executionArn };
    try {
      const response = await this.client.send(
        new StartExecutionCommand({ stateMachineArn: request.stateMachineArn, name: request.name, input: JSON.stringify(request.input) }),
      );
      return { started: true, executionArn: response.executionArn ?? executionArn };
    } catch (error) {
      // Standard workflows keep execution names for 90 days: a delivery that lost the race to the describe lands here.
      if (error instanceof ExecutionAlreadyExists) return { started: false, executionArn };
      throw error;
    }
  }

  private async exists(executionArn: string): Promise<boolean> {
    try {
      await this.client.send(new DescribeExecutionCommand({ executionArn }));
      return true;
    } catch (error) {
      if (error instanceof ExecutionDoesNotExist) return false;
      throw error;
    }
  }
}
