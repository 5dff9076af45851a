import { Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DeploymentConfigError, parseDeploymentConfig } from './deployment-config';
import { KubeAccess } from './kube-access';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { RECOVERY_POINT_CATALOG_ENV, RECOVERY_POINT_SOURCE_REGION_ENV } from './recovery-point-catalog';
import { addRestoreFunctions } from './restore-functions';
import type { RestoreWorkflow } from './restore-workflow';
import { SchedulerFunction } from './scheduler-function';
import { importedNetwork, LOG_RETENTION } from './snapshot-scheduler';
import type { SnapshotSchedulerConfig } from './snapshot-scheduler-config';
import { TargetCatalogLayer } from './target-catalog-layer';

export type StandbyFunctionName = 'requestRestore' | 'createRestoreCluster' | 'checkRestore' | 'reportFailure';

export interface SnapshotSchedulerStandbyProps {
  /** The deployment config of the primary stack, which names `disasterRecovery`; the standby's Region is its region. */
  readonly config: SnapshotSchedulerConfig;
  /** The Region of the primary stack, where the catalog's backups were taken. */
  readonly sourceRegion: string;
  /** The recovery-point catalog's global table, whose replica in this Region the standby reads. */
  readonly catalogTableName: string;
}

/**
 * What comes back in the disaster recovery Region when the primary Region is lost: RequestRestore and the restore
 * workflow, reading the catalog's replica in this Region and importing the backups' copies here, writing only into the
 * EKS clusters and namespaces `disasterRecovery.eksClusters` names. No schedules, no backups, no retention: those
 * start once the operator makes the restored Cluster a target of a deployment here.
 */
export class SnapshotSchedulerStandby extends Construct {
  readonly restoreWorkflow: RestoreWorkflow;
  readonly kubeAccess: KubeAccess;
  readonly targetCatalog: TargetCatalogLayer;
  readonly recoveryPoints: dynamodb.ITable;
  readonly functions: Readonly<Record<StandbyFunctionName, SchedulerFunction>>;

  constructor(scope: Construct, id: string, props: SnapshotSchedulerStandbyProps) {
    const config = parseDeploymentConfig(props.config, `given to SnapshotSchedulerStandby ${id} (props.config)`);
    const dr = config.disasterRecovery;
    if (!dr)
      throw new DeploymentConfigError(
        `Invalid deployment config given to SnapshotSchedulerStandby ${id} (props.config):\n  - disasterRecovery: a standby needs the disaster recovery Region and the EKS clusters it restores into`,
      );
    const region = Stack.of(scope).region;
    if (!Token.isUnresolved(region) && region !== dr.region)
      throw new DeploymentConfigError(
        `Invalid deployment config given to SnapshotSchedulerStandby ${id} (props.config):\n  - disasterRecovery.region: ${dr.region} is not the standby stack's Region ${region}`,
      );
    super(scope, id);
    const logRetention = LOG_RETENTION[config.logRetentionDays];
    const sourceMaps = config.lambdaSourceMaps;
    const bus = events.EventBus.fromEventBusName(this, 'EventBus', config.eventBusName);
    this.kubeAccess = new KubeAccess(this, 'KubeAccess', { eksClusters: dr.eksClusters.map((c) => c.name) });
    const kubeRole = this.kubeAccess.role;
    // The targets name what is restored (the catalog keys its records by target); the destinations are the standby's.
    this.targetCatalog = new TargetCatalogLayer(this, 'TargetCatalog', {
      document: {
        targets: config.targets,
        fanOut: config.fanOut,
        policies: {},
        discovery: [],
        restoreDestinations: dr.eksClusters.map(({ name, namespaces }) => ({ eksCluster: name, namespaces })),
      },
    });
    const layers = [this.targetCatalog.layer];
    const network = dr.network && importedNetwork(this, dr.network);
    if (network) kubeRole.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));
    // The replica of the primary's global table has its name, in this Region: read only.
    this.recoveryPoints = dynamodb.TableV2.fromTableName(this, 'RecoveryPointCatalog', props.catalogTableName);
    this.recoveryPoints.grant(kubeRole, 'dynamodb:Query');
    const environment = { EVENT_BUS_NAME: bus.eventBusName };

    const reportFailure = new SchedulerFunction(this, 'ReportFailure', {
      handler: 'report-workflow-failure',
      description: 'Publishes the failure event of a workflow that ended in error',
      layers,
      environment,
      memoryMb: 128,
      logRetention,
      sourceMaps,
    });
    bus.grantPutEventsTo(kubeRole);
    bus.grantPutEventsTo(reportFailure.role!);
    const restore = addRestoreFunctions(this, {
      kubeRole,
      network,
      layers,
      environment,
      requestEnvironment: {
        ...environment,
        [RECOVERY_POINT_CATALOG_ENV]: props.catalogTableName,
        [RECOVERY_POINT_SOURCE_REGION_ENV]: props.sourceRegion,
      },
      reportFailure,
      logRetention,
      sourceMaps,
      descriptions: {
        createRestoreCluster: "Imports a backup's copied snapshots and creates the CNPG Cluster that recovers from them",
        requestRestore: 'Operator entry point in the DR Region: restores a backup from its copy here into a DR EKS cluster',
      },
    });
    const { createRestoreCluster, checkRestore, requestRestore, startRestore, executions } = restore;
    this.restoreWorkflow = restore.restoreWorkflow;
    this.functions = { requestRestore, createRestoreCluster, checkRestore, reportFailure };
    acknowledgeNagFindings({
      stateMachines: [{ machine: this.restoreWorkflow.stateMachine, invokes: [createRestoreCluster, checkRestore, reportFailure] }],
      distributedMaps: [],
      functionRoles: Object.values(this.functions).map((fn) => fn.role!),
      vpcRole: network && kubeRole,
      describedExecutions: [{ scope: startRestore, executions }],
    });
  }

  /** Lets `grantee` restore a backup here: invoke the RequestRestore function. */
  grantRequestRestore(grantee: iam.IGrantable): iam.Grant {
    return this.functions.requestRestore.grantInvoke(grantee);
  }
}
