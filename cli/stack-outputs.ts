import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CliError } from './cli-error';

/** The outputs of the scheduler's stack the CLI works with (lib/snapshot-scheduler-stack.ts names them). */
export const STACK_OUTPUTS = [
  'SchedulerBackupWorkflowArn',
  'SchedulerRestoreWorkflowArn',
  'SchedulerDrillWorkflowArn',
  'SchedulerRequestRestoreFunction',
  'SchedulerApplyRetentionFunction',
  'SchedulerRecoveryPointLedgerTable',
] as const;
export type StackOutputs = Record<(typeof STACK_OUTPUTS)[number], string>;

/** Reads the stack's outputs with DescribeStacks; a missing stack or output says what to check. */
export async function readStackOutputs(client: CloudFormationClient, stackName: string): Promise<StackOutputs> {
  let outputs: ReadonlyArray<{ OutputKey?: string | undefined; OutputValue?: string | undefined }>;
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    // CloudFormation answers a stack it does not know with ValidationError "Stack with id <name> does not exist".
    if (error instanceof Error && error.name === 'ValidationError')
      throw new CliError(
        `${error.message} (region ${await regionOf(client)}). Check --stack (the stack's name, CnpgSnapshotScheduler unless deployed with -c stackName=) and --region.`,
      );
    throw error;
  }
  const values = new Map(outputs.map((o) => [o.OutputKey, o.OutputValue]));
  const missing = STACK_OUTPUTS.filter((key) => !values.get(key));
  if (missing.length > 0)
    throw new CliError(
      `Stack ${stackName} has no output ${missing.join(', ')}: it is not a cnpg-snapshot-scheduler stack, or one deployed by an older version (deploy this one).`,
    );
  return Object.fromEntries(STACK_OUTPUTS.map((key) => [key, values.get(key)!])) as StackOutputs;
}

async function regionOf(client: CloudFormationClient): Promise<string> {
  return client.config.region();
}
