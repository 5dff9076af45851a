import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { SnapshotSchedulerStandby, type SnapshotSchedulerStandbyProps } from './snapshot-scheduler-standby';

export type SnapshotSchedulerStandbyStackProps = StackProps & SnapshotSchedulerStandbyProps;

/**
 * The disaster recovery standby as a stack of the app (bin/app.ts adds it, in `disasterRecovery.region`, when the
 * config names one): a SnapshotSchedulerStandby and the outputs the region-loss runbook reads, named as the primary
 * stack's are.
 */
export class SnapshotSchedulerStandbyStack extends Stack {
  readonly standby: SnapshotSchedulerStandby;

  constructor(scope: Construct, id: string, props: SnapshotSchedulerStandbyStackProps) {
    super(scope, id, props);
    const { config, sourceRegion, catalogTableName } = props;
    const standby = new SnapshotSchedulerStandby(this, 'Scheduler', { config, sourceRegion, catalogTableName });
    this.standby = standby;
    const outputs: Record<string, { value: string; description: string }> = {
      RequestRestoreFunction: {
        value: standby.functions.requestRestore.functionName,
        description: 'Invoke to restore a backup from its copy in this Region into a DR EKS cluster (toEksCluster, toNamespace)',
      },
      RestoreWorkflowArn: { value: standby.restoreWorkflow.stateMachine.stateMachineArn, description: 'Restore workflow' },
      RecoveryPointCatalogTable: {
        value: catalogTableName,
        description: `The recovery-point catalog's replica in this Region (the global table of the stack in ${sourceRegion})`,
      },
    };
    for (const [id, output] of Object.entries(outputs)) new CfnOutput(this, `Scheduler${id}`, output);
  }
}
