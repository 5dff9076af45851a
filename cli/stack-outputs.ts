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

/**
 * The outputs of a standby stack (`<stackName>-Standby` in the DR Region, lib/snapshot-scheduler-standby-stack.ts),
 * named as the primary's are: it restores, and has nothing else to drive.
 */
export const STANDBY_STACK_OUTPUTS = ['SchedulerRequestRestoreFunction', 'SchedulerRestoreWorkflowArn'] as const;
export type StandbyStackOutputs = Record<(typeof STANDBY_STACK_OUTPUTS)[number], string>;

/** A deployed stack as its outputs say: the scheduler's, or a standby that only restores. */
export type DeployedStack = { kind: 'scheduler'; outputs: StackOutputs } | { kind: 'standby'; outputs: StandbyStackOutputs };

/**
 * Reads the stack's outputs with DescribeStacks; a missing stack or output says what to check. A stack with the
 * standby's outputs and no backup workflow is a standby.
 */
export async function readStackOutputs(client: CloudFormationClient, stackName: string): Promise<DeployedStack> {
  let outputs: ReadonlyArray<{ OutputKey?: string | undefined; OutputValue?: string | undefined }>;
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Stacks?.[0]?.Outputs ?? [];
  } catch (error) {
    // CloudFormation answers a stack it does not know with ValidationError "Stack with id <name> does not exist".
    if (error instanceof Error && error.name === 'ValidationError')
      throw new CliError(
        `${error.message} (region ${await regionOf(client)}). Check --stack (the stack's name, CnpgSnapshotScheduler unless deployed with -c stackName=; its standby is <name>-Standby, in the DR Region) and --region.`,
      );
    throw error;
  }
  const values = new Map(outputs.map((o) => [o.OutputKey, o.OutputValue]));
  const pick = <K extends string>(keys: readonly K[]) =>
    Object.fromEntries(keys.map((key) => [key, values.get(key)!])) as Record<K, string>;
  const missing = STACK_OUTPUTS.filter((key) => !values.get(key));
  if (missing.length === 0) return { kind: 'scheduler', outputs: pick(STACK_OUTPUTS) };
  if (!values.get('SchedulerBackupWorkflowArn') && STANDBY_STACK_OUTPUTS.every((key) => values.get(key)))
    return { kind: 'standby', outputs: pick(STANDBY_STACK_OUTPUTS) };
  throw new CliError(
    `Stack ${stackName} has no output ${missing.join(', ')}: it is not a cnpg-snapshot-scheduler stack, or one deployed by an older version (deploy this one).`,
  );
}

async function regionOf(client: CloudFormationClient): Promise<string> {
  return client.config.region();
}
