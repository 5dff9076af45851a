import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

/** Starts a Step Functions execution under a given name; a name already used starts nothing. */
export interface WorkflowStarter {
  start(request: { stateMachineArn: string; name: string; input: unknown }): Promise<{ started: boolean; executionArn: string }>;
}

export class StepFunctionsWorkflowStarter implements WorkflowStarter {
  constructor(private readonly client: SFNClient = new SFNClient({})) {}

  async start(request: { stateMachineArn: string; name: string; input: unknown }) {
    const executionArn = `${request.stateMachineArn.replace(':stateMachine:', ':execution:')}:${request.name}`;
    try {
      const response = await this.client.send(
        new StartExecutionCommand({ stateMachineArn: request.stateMachineArn, name: request.name, input: JSON.stringify(request.input) }),
      );
      return { started: true, executionArn: response.executionArn ?? executionArn };
    } catch (error) {
      // Standard workflows keep execution names for 90 days: a second delivery of the same slot lands here.
      if (error instanceof ExecutionAlreadyExists) return { started: false, executionArn };
      throw error;
    }
  }
}
