#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeploymentConfigError } from '../lib/deployment-config';
import { loadDeploymentConfig } from '../lib/load-deployment-config';
import { SnapshotSchedulerStack } from '../lib/snapshot-scheduler-stack';
import { SnapshotSchedulerStandbyStack } from '../lib/snapshot-scheduler-standby-stack';
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
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  const dr = config.disasterRecovery;
  // A global table's replica, and its name given to a stack in another Region, need the account and Region at synth.
  if (dr && (account === undefined || region === undefined))
    throw new DeploymentConfigError(
      `disasterRecovery: the catalog's replica and the standby in ${dr.region} need the primary stack's account and Region at synth: run cdk with the account's credentials and AWS_REGION set to the primary Region`,
    );
  const primary = new SnapshotSchedulerStack(app, stackName, {
    config,
    env: { account, region },
    description: 'cnpg-snapshot-scheduler: volume-snapshot backups, retention and recovery for CloudNativePG on EKS',
  });
  if (dr && account !== undefined && region !== undefined) {
    const standby = new SnapshotSchedulerStandbyStack(app, `${stackName}-Standby`, {
      config,
      sourceRegion: region,
      catalogTableName: primary.scheduler.recoveryPoints.table.tableName,
      env: { account, region: dr.region },
      description: `cnpg-snapshot-scheduler standby: restores in ${dr.region} from the copies of the backups taken in ${region}`,
    });
    // The replica it reads is created by the primary's global table.
    standby.addStackDependency(primary);
  }
} catch (error) {
  if (error instanceof DeploymentConfigError || error instanceof AppArgumentError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
