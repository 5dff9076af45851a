/**
 * Turns a state machine's `DefinitionString` from a synthesized CloudFormation template into the ASL JSON that Step
 * Functions would receive, with each Lambda's `Fn::GetAtt` replaced by a stable fake ARN naming its logical id.
 */

export const TEST_ACCOUNT = '123456789012';
export const TEST_REGION = 'eu-west-1';

export type AslState = Record<string, unknown> & { Type: string; Next?: string; End?: boolean; Resource?: string };
export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
  QueryLanguage?: string;
}

export function lambdaArnFor(logicalId: string): string {
  return `arn:aws:lambda:${TEST_REGION}:${TEST_ACCOUNT}:function:${logicalId}`;
}

/** A state machine's ARN as `Ref` resolves it in a definition that starts another workflow. */
export function stateMachineArnFor(logicalId: string): string {
  return `arn:aws:states:${TEST_REGION}:${TEST_ACCOUNT}:stateMachine:${logicalId}`;
}

type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };

const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': TEST_REGION,
  'AWS::AccountId': TEST_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

function resolve(value: unknown, template: Template): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [intrinsic, args] = Object.entries(value as Record<string, unknown>)[0] ?? [];
    if (intrinsic === 'Fn::Join' && Array.isArray(args)) {
      const [separator, parts] = args as [string, unknown[]];
      return parts.map((part) => resolve(part, template)).join(separator);
    }
    if (intrinsic === 'Fn::GetAtt' && Array.isArray(args) && args[1] === 'Arn') return lambdaArnFor(String(args[0]));
    if (intrinsic === 'Ref' && typeof args === 'string' && PSEUDO_PARAMETERS[args]) return PSEUDO_PARAMETERS[args];
    if (intrinsic === 'Ref' && typeof args === 'string' && template.Resources[args]?.Type === 'AWS::StepFunctions::StateMachine')
      return stateMachineArnFor(args);
  }
  throw new Error(`Cannot resolve ${JSON.stringify(value)} in a state machine definition`);
}

export function stateMachineDefinition(template: Template, logicalId: string): AslDefinition {
  const resource = template.Resources[logicalId];
  if (resource?.Type !== 'AWS::StepFunctions::StateMachine') throw new Error(`${logicalId} is not a state machine in the template`);
  return JSON.parse(resolve(resource.Properties?.DefinitionString, template)) as AslDefinition;
}
