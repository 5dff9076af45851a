#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeploymentConfigError, loadDeploymentConfig } from '../lib/deployment-config';
import { SnapshotSchedulerStack } from '../lib/snapshot-scheduler-stack';

const app = new App();
// Synth fails on any AWS Solutions finding that is not acknowledged with a reason (lib/nag-acknowledgements.ts).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const configPath = (app.node.tryGetContext('config') as string | undefined) ?? 'config/example.yaml';
try {
  const config = loadDeploymentConfig(configPath);
  new SnapshotSchedulerStack(app, (app.node.tryGetContext('stackName') as string | undefined) ?? 'CnpgSnapshotScheduler', {
    config,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: 'cnpg-snapshot-scheduler: volume-snapshot backups, retention and recovery for CloudNativePG on EKS',
  });
} catch (error) {
  if (error instanceof DeploymentConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
