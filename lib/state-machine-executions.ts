import { Arn, ArnFormat, Stack } from 'aws-cdk-lib';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';

/** The ARN pattern of every execution of a state machine, as StateMachine.grantExecution builds it. */
export function executionsOf(stateMachine: sfn.IStateMachine): string {
  const { resourceName } = Arn.split(stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME);
  return `${Stack.of(stateMachine).formatArn({ service: 'states', resource: 'execution', resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME })}:*`;
}
