import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import type { TargetSpecInput } from '../../lambdas/domain/target-spec';
import { startAwsApiStandIns, startLedgerStandIn, type AwsApiStandIns } from '../../simulator/aws-api/aws-api-stand-ins';
import { LocalScheduler } from '../../simulator/local-scheduler';
import type { VirtualClock } from '../../simulator/virtual-clock';
import { runCliProcess, type CliRun } from './cli-as-process';

/** The stack name the stand-ins answer to. */
export const STACK = 'CnpgSnapshotScheduler';

/** A deployed scheduler as the CLI's --stack mode reaches it, and the CLI run as a process against it. */
export interface StackModeCli {
  local: LocalScheduler;
  /** Runs the CLI with the deployment config of the targets and the stand-ins' AWS endpoints. */
  cli(...args: string[]): Promise<CliRun>;
  close(): Promise<void>;
}

/**
 * Starts the local scheduler for `targets` with the recovery point ledger on the DynamoDB stand-in (the production
 * adapter on both sides), lets `history` make what the test needs before anyone looks, then the AWS API stand-ins
 * of the stack (CloudFormation, Step Functions, Lambda, DynamoDB).
 */
export async function startStackModeCli(options: {
  clock: VirtualClock;
  targets: TargetSpecInput[];
  history: (local: LocalScheduler) => Promise<void>;
}): Promise<StackModeCli> {
  const ledger = await startLedgerStandIn();
  const local = await LocalScheduler.start({ clock: options.clock, targets: options.targets, ledger: ledger.ledger });
  let aws: AwsApiStandIns;
  try {
    await options.history(local);
    aws = await startAwsApiStandIns(local, STACK, ledger);
  } catch (error) {
    // A failed start leaves no server behind to keep jest from exiting.
    await local.close();
    await ledger.close();
    throw error;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cli-stack-'));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, toYaml({ targets: options.targets }));
  return {
    local,
    cli: (...args) => {
      const { AWS_PROFILE: _profile, ...inherited } = process.env;
      return runCliProcess([...args, '--config', config], { ...inherited, ...aws.env });
    },
    close: async () => {
      await aws.close();
      await local.close();
      await ledger.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
