import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { CfnStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { renderManifests } from '../lib/kubernetes-manifest';
import { clusterManifests } from '../lib/kubernetes-manifests';
import type { StandbyFunctionName } from '../lib/snapshot-scheduler-standby';
import { SnapshotSchedulerStandbyStack } from '../lib/snapshot-scheduler-standby-stack';
import { readTargetCatalog } from '../lambdas/adapters/target-catalog-file';
import { createCheckRestore } from '../lambdas/handlers/check-restore';
import { createCreateRestoreCluster } from '../lambdas/handlers/create-restore-cluster';
import { createReportWorkflowFailure } from '../lambdas/handlers/report-workflow-failure';
import { createRequestRestore, type RequestRestoreResult } from '../lambdas/handlers/request-restore';
import type { WorkflowDependencies } from '../lambdas/handlers/workflow-dependencies';
import type { WorkflowStarter } from '../lambdas/adapters/workflow-starter';
import { exampleVolumeSnapshotClass } from './kube-api-server/fixtures';
import { startKubeApiTestServer, type KubeApiTestServer } from './kube-api-server';
import { LOCAL_CATALOG_NAME, localKubeConnections, WORKFLOW_PRINCIPAL, type LocalScheduler } from './local-scheduler';
import { MemoryLog } from './memory-log';
import { RecordingEventPublisher } from './recording-event-publisher';
import { RecordingMetrics } from './recording-metrics';
import {
  LocalWorkflowRunner,
  type ExecutionObserver,
  type LocalExecution,
  type LocalLambda,
} from './workflow-runner/local-workflow-runner';
import { TEST_ACCOUNT, TEST_REGION, lambdaArnFor, stateMachineDefinition } from './workflow-runner/state-machine-definition';
import type { SynthesizedTemplate } from './workflow-runner/synthesized-scheduler';

/**
 * The disaster recovery standby running locally, beside a LocalScheduler whose config names `disasterRecovery`: the
 * standby stack synthesized in that Region, its restore workflow on the local runner with the real handlers, one
 * Kubernetes API test server per DR EKS cluster (the RBAC `npm run k8s-manifests` makes for it, the CSI driver on
 * the DR Region's storage), and the primary's recovery-point catalog as the replica (global table replication is
 * modelled as done: the standby reads what the primary wrote; DynamoDB replicates asynchronously, Developer Guide,
 * "Global tables - multi-Region replication", so a record written just before a loss may be missing there).
 */
export class LocalStandby {
  readonly log = new MemoryLog();
  readonly events = new RecordingEventPublisher();
  readonly executions: LocalExecution[] = [];
  private readonly runner: LocalWorkflowRunner;
  private readonly requester: (event: unknown) => Promise<RequestRestoreResult>;
  private readonly deps: WorkflowDependencies;

  private constructor(
    readonly primary: LocalScheduler,
    readonly region: string,
    /** The test server of each DR EKS cluster. */
    readonly servers: ReadonlyMap<string, KubeApiTestServer>,
    stack: SnapshotSchedulerStandbyStack,
  ) {
    const { clock } = primary;
    const template = Template.fromStack(stack).toJSON() as SynthesizedTemplate;
    const { standby } = stack;
    const catalog = readTargetCatalog(standby.targetCatalog.path);
    const deps: WorkflowDependencies = {
      catalog: () => catalog,
      kube: localKubeConnections(servers, clock, region),
      events: this.events,
      metrics: new RecordingMetrics(),
      now: () => clock.now(),
      log: this.log,
    };
    const handlers: Record<Exclude<StandbyFunctionName, 'requestRestore'>, LocalLambda> = {
      createRestoreCluster: createCreateRestoreCluster(deps),
      checkRestore: createCheckRestore(deps),
      reportFailure: createReportWorkflowFailure(deps),
    };
    const logicalIdOf = (construct: { node: { defaultChild?: unknown } }) =>
      stack.getLogicalId(construct.node.defaultChild as CfnFunction | CfnStateMachine);
    const lambdas = new Map<string, LocalLambda>(
      Object.entries(handlers).map(([name, fn]) => [lambdaArnFor(logicalIdOf(standby.functions[name as StandbyFunctionName])), fn]),
    );
    const lambdaTimeoutsMs = new Map(
      Object.values(standby.functions).map((fn) => {
        const timeout = template.Resources[logicalIdOf(fn)]?.Properties.Timeout;
        return [lambdaArnFor(logicalIdOf(fn)), Number(timeout ?? 3) * 1000] as const;
      }),
    );
    const definition = stateMachineDefinition(template, logicalIdOf(standby.restoreWorkflow.stateMachine));
    this.runner = new LocalWorkflowRunner(definition, lambdas, clock, { lambdaTimeoutsMs });
    this.deps = deps;
    const started = new Set<string>();
    this.requester = this.restoreRequesterWith(
      {
        start: async ({ name, input }) => {
          const executionArn = `local:standby-restore:${name}`;
          if (started.has(name)) return { started: false, executionArn };
          started.add(name);
          await this.runWorkflow(input, name);
          return { started: true, executionArn };
        },
      },
      'local:standby-restore',
    );
  }

  /** The standby's RequestRestore, starting the restore workflow with `starter` (the Step Functions stand-in, say). */
  restoreRequesterWith(starter: WorkflowStarter, restoreStateMachineArn: string): (event: unknown) => Promise<RequestRestoreResult> {
    return createRequestRestore({
      ...this.deps,
      // The replica: the primary's catalog, which the global table replicates here.
      recoveryPoints: this.primary.recoveryPoints,
      regions: () => ({ region: this.region, sourceRegion: TEST_REGION }),
      restoreStateMachineArn: () => restoreStateMachineArn,
      starter,
    });
  }

  /** An execution of the standby's restore workflow with this input, run to its end. */
  async runWorkflow(input: unknown, executionName: string, observer: ExecutionObserver = {}): Promise<LocalExecution> {
    const execution = await this.runner.run(input, executionName, observer);
    this.executions.push(execution);
    return execution;
  }

  /** Synthesizes the standby of `primary`'s config and starts its DR EKS clusters (empty namespaces of the config). */
  static async start(primary: LocalScheduler): Promise<LocalStandby> {
    const dr = primary.config.disasterRecovery;
    if (!dr) throw new Error('local standby: the primary config names no disasterRecovery');
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new SnapshotSchedulerStandbyStack(app, 'LocalStandby', {
      config: primary.config,
      sourceRegion: TEST_REGION,
      // The catalog's global table as the standby is told its name (the replica has the primary table's name).
      catalogTableName: LOCAL_CATALOG_NAME,
      env: { account: TEST_ACCOUNT, region: dr.region },
    });
    const manifests = clusterManifests(primary.config);
    const servers = new Map<string, KubeApiTestServer>();
    for (const { name, namespaces } of dr.eksClusters) {
      const server = await startKubeApiTestServer({
        clock: primary.clock,
        eksClusterName: name,
        region: dr.region,
        // The DR Region's EBS: the copies are there, the source's snapshots are not.
        storage: primary.storage.region(dr.region),
        principals: [WORKFLOW_PRINCIPAL],
        manifests: [renderManifests('', manifests.get(name) ?? [])],
      });
      server.seed(exampleVolumeSnapshotClass({ name: 'csi-aws-vsc', deletionPolicy: 'Delete' }));
      for (const namespace of namespaces) server.seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      servers.set(name, server);
    }
    return new LocalStandby(primary, dr.region, servers, stack);
  }

  /** The operator's invocation of the standby's RequestRestore; the restore workflow it starts runs to its end. */
  requestRestore(payload: unknown): Promise<RequestRestoreResult> {
    this.log.resetKeys();
    return this.requester(payload);
  }

  /** The execution a request started, by name. */
  execution(name: string): LocalExecution | undefined {
    return this.executions.find((e) => e.executionName === name);
  }

  async close(): Promise<void> {
    for (const server of this.servers.values()) await server.close();
  }
}
