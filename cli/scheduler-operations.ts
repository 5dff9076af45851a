import type { VolumeSnapshot } from '../lambdas/domain/kube-objects';
import type { RecoveryPointRecord } from '../lambdas/domain/recovery-point-audit';
import type { RetentionPlan } from '../lambdas/domain/retention-plan';
import type { TargetSpec } from '../lambdas/domain/target-spec';
import type { RestorePreview } from './restore-preview';
import type { RestoreOrder, StartedRun } from './scheduler-run';

/**
 * What the CLI does with a target, the same in both modes: with a kubeconfig the handlers of the deployed workflows
 * run in the CLI (cli/kubeconfig-operations.ts); with a stack the deployed workflows and functions do
 * (cli/stack-operations.ts). A refused request throws a CliError that says why and what to do.
 */
export interface SchedulerOperations {
  /** The retention dry run: what the policy keeps and deletes now, with the rule of each decision. */
  retentionPlan(target: TargetSpec, at: Date): Promise<RetentionPlan>;
  /** The target cluster's VolumeSnapshots (for sizes); none where the mode cannot read them. */
  snapshots(target: TargetSpec): Promise<VolumeSnapshot[]>;
  /**
   * Every target's record in the deployment's recovery point ledger (its last successful drill, as the drill age
   * audit reads it), or undefined where the mode has no ledger.
   */
  ledgerRecords(): Promise<RecoveryPointRecord[] | undefined>;
  backup(target: TargetSpec): Promise<StartedRun>;
  restore(target: TargetSpec, order: RestoreOrder): Promise<StartedRun>;
  /** The restore's dry run: which backup it would restore, and from where; nothing is started or changed. */
  previewRestore(target: TargetSpec, order: RestoreOrder): Promise<RestorePreview>;
  drill(target: TargetSpec): Promise<StartedRun>;
}
