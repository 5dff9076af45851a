import { Aws, CfnRule, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DeploymentConfigError, parseDeploymentConfig, type DeploymentConfig } from './deployment-config';
import { fanOutSchedules } from '../lambdas/domain/fan-out-schedule';
import { BackupWorkflow } from './backup-workflow';
import { DrillWorkflow } from './drill-workflow';
import { FanOutWorkflow } from './fan-out-workflow';
import { KubeAccess } from './kube-access';
import { PREBUNDLED_LAMBDAS_DIR } from './lambda-bundle-layout';
import { hasPrebundledCode } from './lambda-code';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { RecoveryPointCatalog, RECOVERY_POINT_CATALOG_ENV, RECOVERY_POINT_SOURCE_REGION_ENV } from './recovery-point-catalog';
import { addRestoreFunctions } from './restore-functions';
import { RestoreWorkflow } from './restore-workflow';
import { executionsOf } from './state-machine-executions';
import { SchedulerMonitoring } from './scheduler-monitoring';
import { RetentionWorkflow } from './retention-workflow';
import { SchedulerFunction, type SchedulerNetwork } from './scheduler-function';
import { SnapshotCopies } from './snapshot-copies';
import type { SnapshotSchedulerConfig } from './snapshot-scheduler-config';
import { TargetCatalogLayer } from './target-catalog-layer';
import type { CopyPolicy } from '../lambdas/domain/copy-policy';
import { DISCOVERED_TARGET_DRILL } from '../lambdas/domain/target-policy';
import { WorkflowSchedules } from './workflow-schedules';

export type SchedulerFunctionName =
  | 'startBackup'
  | 'checkBackup'
  | 'applyRetention'
  | 'reportFailure'
  | 'dispatchSchedule'
  | 'planFanOut'
  | 'reportFanOut'
  | 'requestRestore'
  | 'createRestoreCluster'
  | 'checkRestore'
  | 'startDrill'
  | 'checkDrill'
  | 'finishDrill'
  | 'reconcileRecoveryPoints';

/**
 * The functions that only call AWS or read the catalog (ReportFailure, DispatchSchedule, PlanFanOut, ReportFanOut):
 * 128 MB, well above their measured cold peak (npm run bench).
 */
const AWS_ONLY_MEMORY_MB = 128;

export interface SnapshotSchedulerProps {
  /**
   * What to back up, when, and how long to keep it: the deployment config as `config/*.yaml` holds it (README,
   * "Configuration reference"), as an object; every field but the targets' coordinates has a default. It is
   * validated here: a bad field throws a `DeploymentConfigError` naming `props.config` and the field
   * (`targets.0.schedule: ...`), before anything is added to the scope.
   */
  readonly config: SnapshotSchedulerConfig;
  /**
   * The start of every alarm's name, so that the alarms of two schedulers in one account and region stay apart.
   * At most 200 characters (CloudWatch allows 255 for the whole name).
   * @default the construct's path, for example `CnpgSnapshotScheduler/Scheduler`
   */
  readonly alarmNamePrefix?: string;
}

/** A workflow an operator or another system may start, or watch fail. */
export type SchedulerWorkflowName = 'backup' | 'retention' | 'restore' | 'drill';

const ALARM_NAME_PREFIX_MAX = 200;

/** The log retention periods the deployment config allows, as CloudWatch Logs names them. */
export const LOG_RETENTION = {
  7: logs.RetentionDays.ONE_WEEK,
  14: logs.RetentionDays.TWO_WEEKS,
  30: logs.RetentionDays.ONE_MONTH,
  90: logs.RetentionDays.THREE_MONTHS,
  365: logs.RetentionDays.ONE_YEAR,
} as const;

/**
 * The whole scheduler for a list of targets: schedules, workflows, Lambdas, IAM and EKS access entries.
 * Embed it in any stack; bin/app.ts does so from the deployment config.
 */
export class SnapshotScheduler extends Construct {
  readonly backupWorkflow: BackupWorkflow;
  readonly retentionWorkflow: RetentionWorkflow;
  readonly backupFanOut: FanOutWorkflow;
  readonly retentionFanOut: FanOutWorkflow;
  readonly drillFanOut: FanOutWorkflow;
  readonly restoreWorkflow: RestoreWorkflow;
  readonly drillWorkflow: DrillWorkflow;
  readonly kubeAccess: KubeAccess;
  readonly targetCatalog: TargetCatalogLayer;
  readonly recoveryPoints: RecoveryPointCatalog;
  readonly monitoring: SchedulerMonitoring;
  readonly functions: Readonly<Record<SchedulerFunctionName, SchedulerFunction>>;
  readonly schedules: WorkflowSchedules;
  /** The disaster recovery copies, when a target or policy has `copies`. */
  readonly copies: SnapshotCopies | undefined;

  constructor(scope: Construct, id: string, props: SnapshotSchedulerProps) {
    // Props are checked before the construct joins the tree: a bad one throws and leaves the scope as it was.
    const config = parseDeploymentConfig(props.config, `given to SnapshotScheduler ${id} (props.config)`);
    refuseLocalOnlyAuth(config);
    refuseSourceMapsWithoutBundler(config, id);
    refuseCopiesToOwnRegion(config, Stack.of(scope).region);
    // The default is the path this construct is about to have.
    const alarmNamePrefix = props.alarmNamePrefix ?? [scope.node.path, id].filter((part) => part !== '').join('/');
    checkAlarmNamePrefix(alarmNamePrefix);
    super(scope, id);
    assertCopiesLeaveRegion(this, config);
    const logRetention = LOG_RETENTION[config.logRetentionDays];
    const sourceMaps = config.lambdaSourceMaps;
    const bus = events.EventBus.fromEventBusName(this, 'EventBus', config.eventBusName);
    const eksClusters = [...new Set([...config.targets, ...config.discovery].map((t) => t.eksCluster))];
    // What every target's backup settings may be: the explicit targets' and the policies' (which discovered targets take).
    const settings = [...config.targets, ...Object.values(config.policies)];
    this.kubeAccess = new KubeAccess(this, 'KubeAccess', { eksClusters });
    const kubeRole = this.kubeAccess.role;
    const environment = { EVENT_BUS_NAME: bus.eventBusName };
    this.targetCatalog = new TargetCatalogLayer(this, 'TargetCatalog', {
      document: { targets: config.targets, fanOut: config.fanOut, policies: config.policies, discovery: config.discovery },
    });
    const layers = [this.targetCatalog.layer];
    const network = config.network && importedNetwork(this, config.network);
    // Lambda creates its ENIs in the subnets as the function's role: AWS's policy for exactly that.
    if (network) kubeRole.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'));

    const dr = config.disasterRecovery;
    this.recoveryPoints = new RecoveryPointCatalog(this, 'RecoveryPointCatalog', {
      ...(dr && { replicaRegion: dr.region }),
    });
    // The Kubernetes-facing functions share one role (the identity their EKS access entries map), so the grant is the
    // role's; only the functions that use the catalog are told its table.
    this.recoveryPoints.grantReadWrite(kubeRole);
    const withCatalog = { ...environment, [RECOVERY_POINT_CATALOG_ENV]: this.recoveryPoints.table.tableName };

    const startBackup = new SchedulerFunction(this, 'StartBackup', {
      handler: 'start-backup',
      description: 'Checks the CNPG Cluster and creates the volume-snapshot Backup of a scheduled slot',
      role: kubeRole,
      network,
      layers,
      environment,
      logRetention,
      sourceMaps,
    });
    const checkBackup = new SchedulerFunction(this, 'CheckBackup', {
      handler: 'check-backup',
      description: 'Reads a Backup phase, chooses the next wait or ends the backup workflow',
      role: kubeRole,
      network,
      layers,
      environment: withCatalog,
      logRetention,
      sourceMaps,
    });
    const applyRetention = new SchedulerFunction(this, 'ApplyRetention', {
      handler: 'apply-retention',
      description: 'Plans and applies retention: deletes expired Backups and their VolumeSnapshots',
      role: kubeRole,
      network,
      layers,
      environment: withCatalog,
      logRetention,
      sourceMaps,
      timeout: Duration.minutes(5),
    });
    const reportFailure = new SchedulerFunction(this, 'ReportFailure', {
      handler: 'report-workflow-failure',
      description: 'Publishes the failure event of a workflow that ended in error',
      layers,
      environment,
      memoryMb: AWS_ONLY_MEMORY_MB,
      logRetention,
      sourceMaps,
    });
    bus.grantPutEventsTo(kubeRole);
    bus.grantPutEventsTo(reportFailure.role!);
    // AWS only (the catalog and EC2, no Kubernetes): its own role, outside the network.
    const reconcileRecoveryPoints = new SchedulerFunction(this, 'ReconcileRecoveryPoints', {
      handler: 'reconcile-recovery-points',
      description: 'Stops the recovery-point catalog claiming storage snapshots that are gone, and drops lost copies',
      layers,
      environment: withCatalog,
      memoryMb: AWS_ONLY_MEMORY_MB,
      logRetention,
      sourceMaps,
      timeout: Duration.minutes(2),
    });
    this.recoveryPoints.grantReconcile(reconcileRecoveryPoints);
    reconcileRecoveryPoints.addToRolePolicy(new iam.PolicyStatement({ actions: ['ec2:DescribeSnapshots'], resources: ['*'] }));
    bus.grantPutEventsTo(reconcileRecoveryPoints.role!);

    const longestBackupTimeout = Duration.minutes(
      Math.max(...settings.map((t) => t.backup.notStartedTimeoutMinutes + t.backup.runningTimeoutMinutes)),
    );
    this.backupWorkflow = new BackupWorkflow(this, 'BackupWorkflow', {
      startBackup,
      checkBackup,
      applyRetention,
      reportFailure,
      longestBackupTimeout,
      logRetention,
    });
    const policies = copyPolicies(config).map(({ copies }) => copies);
    this.copies =
      policies.length > 0
        ? new SnapshotCopies(this, 'Copies', {
            policies,
            catalogTable: this.recoveryPoints.table,
            eventBus: bus,
            reportFailure,
            layers,
            logRetention,
            sourceMaps,
          })
        : undefined;
    // Reconciliation asks about copies kept in another account there, through its role.
    if (this.copies && this.copies.vaultRoleArns.length > 0)
      reconcileRecoveryPoints.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [...this.copies.vaultRoleArns] }),
      );
    const applyCopyRetention = this.copies?.functions.applyCopyRetention;
    this.retentionWorkflow = new RetentionWorkflow(this, 'RetentionWorkflow', {
      applyRetention,
      reconcileRecoveryPoints,
      ...(applyCopyRetention && { applyCopyRetention }),
      reportFailure,
      logRetention,
    });

    const startDrill = new SchedulerFunction(this, 'StartDrill', {
      layers,
      handler: 'start-drill',
      description: 'Restores the latest completed backup of a target into a throwaway drill Cluster',
      role: kubeRole,
      network,
      environment,
      logRetention,
      sourceMaps,
    });
    const checkDrill = new SchedulerFunction(this, 'CheckDrill', {
      layers,
      handler: 'check-drill',
      description: 'Follows a drill Cluster to ready, then its verification Job to its end',
      role: kubeRole,
      network,
      environment,
      logRetention,
      sourceMaps,
    });
    const finishDrill = new SchedulerFunction(this, 'FinishDrill', {
      layers,
      handler: 'finish-drill',
      description: 'Tears down what a drill created and reports Drill Completed or Drill Failed',
      role: kubeRole,
      network,
      environment,
      logRetention,
      sourceMaps,
    });
    this.drillWorkflow = new DrillWorkflow(this, 'DrillWorkflow', {
      startDrill,
      checkDrill,
      finishDrill,
      reportFailure,
      longestDrillTimeout: Duration.minutes(
        Math.max(...config.targets.map((t) => t.drill.timeoutMinutes), DISCOVERED_TARGET_DRILL.timeoutMinutes),
      ),
      logRetention,
    });

    // Lists the labelled Clusters of each EKS cluster under discovery: Kubernetes access, in the network.
    const planFanOut = new SchedulerFunction(this, 'PlanFanOut', {
      handler: 'plan-fan-out',
      description: 'Finds the targets due on a schedule firing (discovering labelled Clusters) and deals them into lanes',
      role: kubeRole,
      network,
      layers,
      memoryMb: AWS_ONLY_MEMORY_MB,
      logRetention,
      sourceMaps,
    });
    const reportFanOut = new SchedulerFunction(this, 'ReportFanOut', {
      handler: 'report-fan-out',
      description: 'Publishes the summary event of a schedule firing',
      environment,
      memoryMb: AWS_ONLY_MEMORY_MB,
      logRetention,
      sourceMaps,
    });
    bus.grantPutEventsTo(reportFanOut.role!);
    const maxLanes = eksClusters.length * config.fanOut.concurrencyPerEksCluster;
    this.backupFanOut = new FanOutWorkflow(this, 'BackupFanOut', {
      workflow: 'backup',
      planFanOut,
      reportFanOut,
      startBackup,
      backupWorkflow: this.backupWorkflow.stateMachine,
      maxLanes,
      logRetention,
    });
    this.retentionFanOut = new FanOutWorkflow(this, 'RetentionFanOut', {
      workflow: 'retention',
      planFanOut,
      reportFanOut,
      applyRetention,
      reconcileRecoveryPoints,
      ...(applyCopyRetention && { applyCopyRetention }),
      reportFailure,
      maxLanes,
      logRetention,
    });
    this.drillFanOut = new FanOutWorkflow(this, 'DrillFanOut', {
      workflow: 'drill',
      planFanOut,
      reportFanOut,
      drillWorkflow: this.drillWorkflow.stateMachine,
      maxLanes,
      logRetention,
    });

    const dispatchSchedule = new SchedulerFunction(this, 'DispatchSchedule', {
      handler: 'dispatch-schedule',
      description: 'Starts the tick of a schedule firing under a name derived from its expression and time',
      environment: {
        BACKUP_FAN_OUT_ARN: this.backupFanOut.stateMachine.stateMachineArn,
        RETENTION_FAN_OUT_ARN: this.retentionFanOut.stateMachine.stateMachineArn,
        DRILL_FAN_OUT_ARN: this.drillFanOut.stateMachine.stateMachineArn,
      },
      memoryMb: AWS_ONLY_MEMORY_MB,
      logRetention,
      sourceMaps,
    });
    // Describe tells a duplicate delivery of a running tick apart: Step Functions answers its start with success.
    const dispatched = [this.backupFanOut, this.retentionFanOut, this.drillFanOut].map((workflow) => workflow.stateMachine);
    for (const stateMachine of dispatched) stateMachine.grantStartExecution(dispatchSchedule);
    dispatchSchedule.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: dispatched.map(executionsOf) }),
    );
    const schedules = new WorkflowSchedules(this, 'Schedules', {
      schedules: fanOutSchedules({
        backup: settings.map((t) => t.schedule),
        retention: settings.map((t) => t.retention.schedule),
        // A target whose drills are off is on no drill schedule (an on-demand drill still runs).
        drill: config.targets.filter((t) => t.drill.enabled).map((t) => t.drill.schedule),
      }),
      dispatcher: dispatchSchedule,
    });
    this.schedules = schedules;

    const restore = addRestoreFunctions(this, {
      kubeRole,
      network,
      layers,
      environment,
      // The catalog: a restore from it (after the namespace or EKS cluster is gone) reads the backup's records there.
      // The Region: the backups were taken here (a standby in the DR Region names this one).
      requestEnvironment: { ...withCatalog, [RECOVERY_POINT_SOURCE_REGION_ENV]: Stack.of(this).region },
      reportFailure,
      logRetention,
      sourceMaps,
      descriptions: {
        createRestoreCluster: "Creates the CNPG Cluster that recovers from a backup's volume snapshots",
        requestRestore: 'Operator entry point: validates a restore request, builds the Cluster and starts the restore workflow',
      },
    });
    const { createRestoreCluster, checkRestore, requestRestore, startRestore } = restore;
    this.restoreWorkflow = restore.restoreWorkflow;

    this.functions = {
      startBackup,
      checkBackup,
      applyRetention,
      reportFailure,
      dispatchSchedule,
      planFanOut,
      reportFanOut,
      requestRestore,
      createRestoreCluster,
      checkRestore,
      startDrill,
      checkDrill,
      finishDrill,
      reconcileRecoveryPoints,
    };
    this.monitoring = new SchedulerMonitoring(this, 'Monitoring', {
      targetCatalog: this.targetCatalog.layer,
      notifications: config.notifications,
      workflows: {
        backup: this.backupWorkflow.stateMachine,
        retention: this.retentionWorkflow.stateMachine,
        restore: this.restoreWorkflow.stateMachine,
        drill: this.drillWorkflow.stateMachine,
        'backup-fan-out': this.backupFanOut.stateMachine,
        'retention-fan-out': this.retentionFanOut.stateMachine,
        'drill-fan-out': this.drillFanOut.stateMachine,
        ...(this.copies && { copy: this.copies.workflow.stateMachine }),
      },
      eventBus: bus,
      eventBusName: config.eventBusName,
      logRetention,
      alarmNamePrefix,
      failureLogGroups: [checkBackup.logGroup, reportFailure.logGroup, finishDrill.logGroup],
      kubeAccess: { role: kubeRole, network },
      recoveryPoints: this.recoveryPoints,
    });
    const copyRetention = applyCopyRetention ? [applyCopyRetention] : [];
    acknowledgeNagFindings({
      copies: this.copies,
      stateMachines: [
        { machine: this.backupWorkflow.stateMachine, invokes: [startBackup, checkBackup, applyRetention, reportFailure] },
        {
          machine: this.retentionWorkflow.stateMachine,
          invokes: [applyRetention, reconcileRecoveryPoints, ...copyRetention, reportFailure],
        },
        { machine: this.restoreWorkflow.stateMachine, invokes: [createRestoreCluster, checkRestore, reportFailure] },
        { machine: this.drillWorkflow.stateMachine, invokes: [startDrill, checkDrill, finishDrill, reportFailure] },
        { machine: this.backupFanOut.stateMachine, invokes: [planFanOut, startBackup, reportFanOut] },
        {
          machine: this.retentionFanOut.stateMachine,
          invokes: [planFanOut, applyRetention, reconcileRecoveryPoints, ...copyRetention, reportFailure, reportFanOut],
        },
        ...(this.copies
          ? [
              {
                machine: this.copies.workflow.stateMachine,
                invokes: [this.copies.functions.startSnapshotCopies, this.copies.functions.checkSnapshotCopies, reportFailure],
              },
            ]
          : []),
        { machine: this.drillFanOut.stateMachine, invokes: [planFanOut, reportFanOut] },
      ],
      distributedMaps: [this.backupFanOut.stateMachine, this.retentionFanOut.stateMachine, this.drillFanOut.stateMachine],
      functionRoles: [...Object.values(this.functions), ...Object.values(this.monitoring.functions)].map((fn) => fn.role!),
      describesSnapshots: [reconcileRecoveryPoints.role!, this.monitoring.functions.recordRecoveryPoint.role!],
      // EventBridge Scheduler targets put their invoke role at the stack root.
      schedules: { scope: Stack.of(this), invokes: dispatchSchedule },
      vpcRole: network && kubeRole,
      describedExecutions: [
        ...dispatched.map((stateMachine) => ({ scope: dispatchSchedule.role!, executions: executionsOf(stateMachine) })),
        { scope: startRestore, executions: restore.executions },
      ],
    });
  }

  /** Lets `grantee` restore a backup: invoke the RequestRestore function (which checks the request and starts the workflow). */
  grantRequestRestore(grantee: iam.IGrantable): iam.Grant {
    return this.functions.requestRestore.grantInvoke(grantee);
  }

  /** Lets `grantee` start a backup of a target now, outside its schedule (`{"target": "<name>"}`). */
  grantStartBackup(grantee: iam.IGrantable): iam.Grant {
    return this.backupWorkflow.stateMachine.grantStartExecution(grantee);
  }

  /** Lets `grantee` start a restore drill of a target now (`{"target": "<name>"}`). */
  grantStartDrill(grantee: iam.IGrantable): iam.Grant {
    return this.drillWorkflow.stateMachine.grantStartExecution(grantee);
  }

  /**
   * Lets `grantee` run the `cnpg-snapshot-scheduler` CLI with `--stack`: read the stack's outputs; `status`, `backups`
   * and `plan` (the ApplyRetention function, which the CLI invokes with `dryRun: true`, and a Scan of the recovery
   * point ledger); `backup`, `drill` and `restore` with `--wait` (start the backup and drill workflows, invoke
   * RequestRestore, follow the executions of those and of the restore workflow). ApplyRetention invoked without
   * `dryRun` applies the targets' policies, as its schedule does.
   */
  grantCliOperations(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    const watched = [this.backupWorkflow, this.drillWorkflow, this.restoreWorkflow].map((w) => executionsOf(w.stateMachine));
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['cloudformation:DescribeStacks'],
      resourceArns: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stack.stackName}/*` })],
    })
      .combine(this.grantStartBackup(grantee))
      .combine(this.grantStartDrill(grantee))
      .combine(this.grantRequestRestore(grantee))
      .combine(this.functions.applyRetention.grantInvoke(grantee))
      .combine(
        iam.Grant.addToPrincipal({ grantee, actions: ['states:DescribeExecution', 'states:GetExecutionHistory'], resourceArns: watched }),
      )
      .combine(iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Scan'], resourceArns: [this.monitoring.ledger.tableArn] }));
  }

  /**
   * Executions of a workflow that failed (`ExecutionsFailed`). Timed-out and aborted executions are metrics of their own
   * (`<workflow>.stateMachine.metricTimedOut()`, `metricAborted()`); the scheduler's alarm on each workflow sums all three.
   */
  metricFailedExecutions(workflow: SchedulerWorkflowName, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const machines = {
      backup: this.backupWorkflow,
      retention: this.retentionWorkflow,
      restore: this.restoreWorkflow,
      drill: this.drillWorkflow,
    } satisfies Record<SchedulerWorkflowName, { stateMachine: sfn.StateMachine }>;
    return machines[workflow].stateMachine.metricFailed(props);
  }
}

/** The VPC, subnets and security groups of the config, imported by id (no lookup: synth stays offline). */
export function importedNetwork(scope: Construct, config: NonNullable<DeploymentConfig['network']>): SchedulerNetwork {
  return {
    vpc: ec2.Vpc.fromVpcAttributes(scope, 'Vpc', { vpcId: config.vpcId, availabilityZones: Fn.getAzs() }),
    subnets: config.subnetIds.map((id) => ec2.Subnet.fromSubnetId(scope, `Subnet-${id}`, id)),
    securityGroups: config.securityGroupIds.map((id) => ec2.SecurityGroup.fromSecurityGroupId(scope, `SecurityGroup-${id}`, id)),
  };
}

function checkAlarmNamePrefix(prefix: string): void {
  if (prefix.trim().length === 0 || prefix.length > ALARM_NAME_PREFIX_MAX)
    throw new DeploymentConfigError(
      `Invalid SnapshotScheduler props:\n  - alarmNamePrefix: must be 1 to ${ALARM_NAME_PREFIX_MAX} characters (it defaults to the construct's path), not ${JSON.stringify(prefix)} (${prefix.length})`,
    );
}

/**
 * The installed package ships its Lambdas bundled without source maps (they would multiply its size by four); only a
 * checkout, which bundles at synth, can add them.
 */
function refuseSourceMapsWithoutBundler(config: DeploymentConfig, id: string): void {
  if (config.lambdaSourceMaps && hasPrebundledCode(PREBUNDLED_LAMBDAS_DIR))
    throw new DeploymentConfigError(
      `Invalid deployment config given to SnapshotScheduler ${id} (props.config):\n  - lambdaSourceMaps: the installed package's Lambdas are prebundled without source maps; deploy from a checkout of the repository (which bundles at synth) to ship source maps`,
    );
}

/** The copy policies of the config, with the field each is at. */
function copyPolicies(config: DeploymentConfig): Array<{ field: string; copies: CopyPolicy }> {
  return [
    ...config.targets.flatMap((target, index) => (target.copies ? [{ field: `targets.${index}.copies`, copies: target.copies }] : [])),
    ...Object.entries(config.policies).flatMap(([name, policy]) =>
      policy.copies ? [{ field: `policies.${name}.copies`, copies: policy.copies }] : [],
    ),
  ];
}

/** A copy in the stack's own Region survives nothing a Region loss takes: refused at synth when the Region is known. */
function refuseCopiesToOwnRegion(config: DeploymentConfig, stackRegion: string): void {
  if (Token.isUnresolved(stackRegion)) return;
  const fields = copyPolicies(config).filter(({ copies }) => copies.region === stackRegion);
  if (fields.length > 0)
    throw new DeploymentConfigError(
      `Invalid deployment config:\n${fields.map(({ field }) => `  - ${field}.region: must differ from the stack's Region ${stackRegion}: a copy is for losing that Region`).join('\n')}`,
    );
}

/**
 * In an environment-agnostic stack the Region is a token until deployment: a CloudFormation rule then refuses the
 * deployment into a Region that a target copies to (Rules are evaluated before any resource is created).
 */
function assertCopiesLeaveRegion(scope: Construct, config: DeploymentConfig): void {
  if (!Token.isUnresolved(Stack.of(scope).region)) return;
  const regions = [...new Set(copyPolicies(config).map(({ copies }) => copies.region))];
  if (regions.length === 0) return;
  new CfnRule(scope, 'CopiesLeaveRegion', {
    assertions: regions.map((region) => ({
      assert: Fn.conditionNot(Fn.conditionEquals(Aws.REGION, region)),
      assertDescription: `cnpg-snapshot-scheduler copies backups to ${region}: deploy the stack in another Region`,
    })),
  });
}

/** kubeconfig files exist on a workstation, not in a Lambda: a deployed scheduler reaches EKS with its IAM role only. */
function refuseLocalOnlyAuth(config: DeploymentConfig): void {
  const fields = [
    ...config.targets.flatMap((target, index) => (target.auth.kind === 'kubeconfig' ? [`targets.${index}.auth`] : [])),
    ...config.discovery.flatMap((discovery, index) => (discovery.auth.kind === 'kubeconfig' ? [`discovery.${index}.auth`] : [])),
  ];
  if (fields.length > 0)
    throw new DeploymentConfigError(
      `Invalid deployment config:\n${fields.map((field) => `  - ${field}: kubeconfig auth is for local runs only; a deployed scheduler connects to EKS with its IAM role (auth: {kind: eks})`).join('\n')}`,
    );
}
