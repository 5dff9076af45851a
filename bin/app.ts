#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeploymentConfigError } from '../lib/deployment-config';
import { loadDeploymentConfig } from '../lib/load-deployment-config';
import { SnapshotSchedulerStack } from '../lib/snapshot-scheduler-stack';
import { AppArgumentError, appArguments, nodeVersionProblem } from './app-arguments';

const nodeProblem = nodeVersionProblem(process.version);
if (nodeProblem) {
  console.error(nodeProblem);
  process.exit(1);
}

const app = new App();
// Synth fails on any AWS Solutions finding that is not acknowledged with a reason (lib/nag-acknowledgements.ts).
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
try {
  const { configPath, stackName } = appArguments((key) => app.node.tryGetContext(key));
  const config = loadDeploymentConfig(configPath);
  new SnapshotSchedulerStack(app, stackName, {
    config,
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: 'cnpg-snapshot-scheduler: volume-snapshot backups, retention and recovery for CloudNativePG on EKS',
  });
} catch (error) {
  if (error instanceof DeploymentConfigError || error instanceof AppArgumentError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
