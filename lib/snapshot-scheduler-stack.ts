import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './deployment-config';
import { SnapshotScheduler } from './snapshot-scheduler';

export interface SnapshotSchedulerStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

export class SnapshotSchedulerStack extends Stack {
  readonly scheduler: SnapshotScheduler;

  constructor(scope: Construct, id: string, props: SnapshotSchedulerStackProps) {
    super(scope, id, props);
    this.scheduler = new SnapshotScheduler(this, 'Scheduler', { config: props.config });
  }
}
