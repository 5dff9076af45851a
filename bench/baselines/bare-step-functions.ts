import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

/** Baseline for DispatchSchedule: one StartExecution call and nothing else. */
const client = new SFNClient({});

export const handler = async (event: { stateMachineArn: string; name: string }) =>
  client.send(new StartExecutionCommand({ stateMachineArn: event.stateMachineArn, name: event.name, input: '{}' }));
