import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { RestoreWorkflow } from './restore-workflow';
import { SchedulerFunction, type SchedulerNetwork } from './scheduler-function';
import { executionsOf } from './state-machine-executions';

export interface RestoreFunctionsProps {
  /** The role of the Kubernetes-facing functions, which the EKS access entries map to the restore RBAC. */
  readonly kubeRole: iam.IRole;
  readonly network?: SchedulerNetwork;
  readonly layers: lambda.ILayerVersion[];
  /** What the workflow's two functions are told (the event bus). */
  readonly environment: Record<string, string>;
  /** What RequestRestore is told besides the workflow's ARN: the catalog and the Region the backups were taken in. */
  readonly requestEnvironment: Record<string, string>;
  readonly reportFailure: SchedulerFunction;
  readonly logRetention: logs.RetentionDays;
  readonly sourceMaps: boolean;
  /** What the descriptions of CreateRestoreCluster and RequestRestore say where they run. */
  readonly descriptions: { readonly createRestoreCluster: string; readonly requestRestore: string };
}

export interface RestoreFunctions {
  readonly createRestoreCluster: SchedulerFunction;
  readonly checkRestore: SchedulerFunction;
  readonly requestRestore: SchedulerFunction;
  readonly restoreWorkflow: RestoreWorkflow;
  /** RequestRestore's right to start the restore workflow and follow its executions. */
  readonly startRestore: iam.Policy;
  /** The ARN pattern of the restore workflow's executions. */
  readonly executions: string;
}

/**
 * The restore capability the primary stack and the standby both deploy: CreateRestoreCluster and CheckRestore, the
 * restore workflow over them, and RequestRestore, the operator's entry point that starts it. Created in `scope`
 * itself (not in a construct of its own), so the resources keep the logical IDs of the stacks already deployed.
 */
export function addRestoreFunctions(scope: Construct, props: RestoreFunctionsProps): RestoreFunctions {
  const common = {
    role: props.kubeRole,
    network: props.network,
    layers: props.layers,
    logRetention: props.logRetention,
    sourceMaps: props.sourceMaps,
  };
  const createRestoreCluster = new SchedulerFunction(scope, 'CreateRestoreCluster', {
    ...common,
    handler: 'create-restore-cluster',
    description: props.descriptions.createRestoreCluster,
    environment: props.environment,
  });
  const checkRestore = new SchedulerFunction(scope, 'CheckRestore', {
    ...common,
    handler: 'check-restore',
    description: 'Follows a restored Cluster until it is ready, failed or timed out',
    environment: props.environment,
  });
  const restoreWorkflow = new RestoreWorkflow(scope, 'RestoreWorkflow', {
    createCluster: createRestoreCluster,
    checkRestore,
    reportFailure: props.reportFailure,
    logRetention: props.logRetention,
  });
  const requestRestore = new SchedulerFunction(scope, 'RequestRestore', {
    ...common,
    handler: 'request-restore',
    description: props.descriptions.requestRestore,
    environment: { ...props.requestEnvironment, RESTORE_STATE_MACHINE_ARN: restoreWorkflow.stateMachine.stateMachineArn },
  });
  const executions = executionsOf(restoreWorkflow.stateMachine);
  // A policy of its own: in the role's default policy it would close a cycle through the restore workflow's functions.
  const startRestore = new iam.Policy(scope, 'StartRestorePolicy', {
    roles: [props.kubeRole],
    statements: [
      new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [restoreWorkflow.stateMachine.stateMachineArn] }),
      new iam.PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }),
    ],
  });
  return { createRestoreCluster, checkRestore, requestRestore, restoreWorkflow, startRestore, executions };
}
