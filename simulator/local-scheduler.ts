import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { parseDeploymentConfig, type DeploymentConfig } from '../lib/deployment-config';
import { createKubeResourcesFactory } from '../lambdas/adapters/kube-resources-factory';
import type { WorkflowStarter } from '../lambdas/adapters/workflow-starter';
import type { TargetSpec, TargetSpecInput } from '../lambdas/domain/target-spec';
import { createApplyRetention } from '../lambdas/handlers/apply-retention';
import { createCheckBackup } from '../lambdas/handlers/check-backup';
import { createCheckRestore } from '../lambdas/handlers/check-restore';
import { createCreateRestoreCluster } from '../lambdas/handlers/create-restore-cluster';
import { createDispatchSchedule, type DispatchResult } from '../lambdas/handlers/dispatch-schedule';
import { createReportWorkflowFailure } from '../lambdas/handlers/report-workflow-failure';
import { createRequestRestore, type RequestRestoreResult } from '../lambdas/handlers/request-restore';
import { createStartBackup } from '../lambdas/handlers/start-backup';
import type { WorkflowDependencies } from '../lambdas/handlers/workflow-dependencies';
import { exampleCluster, exampleVolumeSnapshotClass, type ExampleClusterOptions } from './kube-api-server/fixtures';
import { startKubeApiTestServer, type KubeApiTestServer, type TestPrincipal } from './kube-api-server';
import { MemoryLog } from './memory-log';
import { seededRandom } from './kube-api-server/seeded-random';
import { RecordingEventPublisher } from './recording-event-publisher';
import { RecordingMetrics } from './recording-metrics';
import { VirtualClock } from './virtual-clock';
import { LocalWorkflowRunner, type LocalExecution, type LocalLambda } from './workflow-runner/local-workflow-runner';
import { TEST_REGION } from './workflow-runner/state-machine-definition';
import { synthesizeScheduler, type SchedulerFunctionName, type SynthesizedScheduler } from './workflow-runner/synthesized-scheduler';

/** Seeds the adapter's retry jitter, so a run with faults is repeatable. */
const RETRY_JITTER_SEED = 20261201;

/** The simulated EKS cluster every local target lives on. */
export const LOCAL_EKS_CLUSTER = 'local-eks';

/** The workflow role's credentials as the test server's access entry knows them. */
export const WORKFLOW_PRINCIPAL: TestPrincipal = {
  accessKeyId: 'AKIAWORKFLOWROLETEST',
  secretAccessKey: 'workflow-role-test-secret-key-0000000000',
  username: 'arn:aws:sts::123456789012:assumed-role/cnpg-snapshot-scheduler-workflow/local',
  groups: ['cnpg-snapshot-scheduler'],
};

export const HENDRIX: TargetSpecInput = { name: 'hendrix', eksCluster: LOCAL_EKS_CLUSTER, namespace: 'demo', cluster: 'hendrix' };

export type LocalWorkflowKind = 'backup' | 'retention' | 'restore';

export interface LocalSchedulerOptions {
  targets?: TargetSpecInput[];
  clock?: VirtualClock;
  rbacManifests?: string[];
  /** A static bearer token with full access (a kind cluster's admin), for clients other than the workflows. */
  adminToken?: string;
  /** Seeds the example CNPG Cluster of each target (default true), with these options per cluster name. */
  seedClusters?: boolean;
  clusterOptions?: Record<string, Partial<ExampleClusterOptions>>;
}

/**
 * The whole scheduler running locally: the synthesized state machines on the local runner, the real handlers and
 * adapters, and the Kubernetes API test server in place of EKS. Only AWS itself is stood in for: DescribeCluster
 * answers with the test server, EventBridge is an in-memory recorder.
 */
export class LocalScheduler {
  private readonly executionNames = new Set<string>();
  private beforeRestoreWorkflow: (() => Promise<unknown>) | undefined;
  private readonly runners: Record<LocalWorkflowKind, LocalWorkflowRunner>;
  private readonly dispatcher: (event: unknown) => Promise<DispatchResult>;
  private readonly restoreRequester: (event: unknown) => Promise<RequestRestoreResult>;
  private readonly handlers: Record<SchedulerFunctionName, LocalLambda>;
  private readonly deps: WorkflowDependencies;

  private constructor(
    readonly config: DeploymentConfig,
    readonly clock: VirtualClock,
    readonly server: KubeApiTestServer,
    readonly events: RecordingEventPublisher,
    readonly log: MemoryLog,
    readonly metrics: RecordingMetrics,
    readonly synthesized: SynthesizedScheduler,
    readonly executions: LocalExecution[],
  ) {
    const deps = this.dependencies();
    this.deps = deps;
    const handlers: Record<SchedulerFunctionName, LocalLambda> = {
      startBackup: createStartBackup(deps),
      checkBackup: createCheckBackup(deps),
      applyRetention: createApplyRetention(deps),
      reportFailure: createReportWorkflowFailure(deps),
      dispatchSchedule: (event) => this.dispatcher(event),
      requestRestore: (event) => this.restoreRequester(event),
      createRestoreCluster: createCreateRestoreCluster(deps),
      checkRestore: createCheckRestore(deps),
    };
    this.handlers = handlers;
    const lambdas = new Map(
      Object.entries(handlers).map(([name, fn]) => [
        synthesized.functionArns[name as SchedulerFunctionName],
        async (event: unknown) => {
          this.log.resetKeys();
          return fn(event);
        },
      ]),
    );
    const runnerOptions = { lambdaTimeoutsMs: synthesized.lambdaTimeoutsMs };
    this.runners = {
      backup: new LocalWorkflowRunner(synthesized.backupDefinition, lambdas, clock, runnerOptions),
      retention: new LocalWorkflowRunner(synthesized.retentionDefinition, lambdas, clock, runnerOptions),
      restore: new LocalWorkflowRunner(synthesized.restoreDefinition, lambdas, clock, runnerOptions),
    };
    this.dispatcher = createDispatchSchedule({
      starter: this.localStarter(),
      stateMachineArn: (workflow) => `local:${workflow}`,
      log: this.log,
    });
    this.restoreRequester = createRequestRestore({
      ...deps,
      starter: this.localStarter(),
      restoreStateMachineArn: () => 'local:restore',
      targets: () => config.targets,
    });
  }

  static async start(options: LocalSchedulerOptions = {}): Promise<LocalScheduler> {
    const clock = options.clock ?? new VirtualClock();
    const config = parseDeploymentConfig({ targets: options.targets ?? [HENDRIX] });
    const server = await startKubeApiTestServer({
      clock,
      eksClusterName: LOCAL_EKS_CLUSTER,
      region: TEST_REGION,
      principals: [WORKFLOW_PRINCIPAL],
      rbacManifests: options.rbacManifests ?? ['k8s/rbac.yaml'],
      ...(options.adminToken !== undefined && { adminToken: options.adminToken }),
    });
    server.seed(exampleVolumeSnapshotClass({ name: 'csi-aws-vsc', deletionPolicy: 'Delete' }));
    if (options.seedClusters ?? true) {
      for (const target of config.targets)
        server.seed(exampleCluster({ namespace: target.namespace, name: target.cluster, ...options.clusterOptions?.[target.cluster] }));
    }
    return new LocalScheduler(
      config,
      clock,
      server,
      new RecordingEventPublisher(),
      new MemoryLog(),
      new RecordingMetrics(),
      synthesizeScheduler(config),
      [],
    );
  }

  target(name: string): TargetSpec {
    const target = this.config.targets.find((t) => t.name === name);
    if (!target) throw new Error(`No target ${name}`);
    return target;
  }

  /** What the EventBridge schedule does at `scheduledTime`: invoke the dispatcher, which starts the slot's execution. */
  async fireSchedule(workflow: 'backup' | 'retention', targetName: string, scheduledTime: Date): Promise<DispatchResult> {
    return this.dispatcher({ workflow, target: this.target(targetName), scheduledTime: scheduledTime.toISOString() });
  }

  /** A manual run: an execution of `workflow` started by hand with the given input. */
  async runWorkflow(
    workflow: LocalWorkflowKind,
    input: unknown,
    executionName = `manual-${this.executions.length + 1}`,
  ): Promise<LocalExecution> {
    const execution = await this.runners[workflow].run(input, executionName);
    this.executions.push(execution);
    return execution;
  }

  /**
   * The operator's restore invocation (the RequestRestore Lambda); the restore workflow it starts runs to its end.
   * `beforeWorkflow` runs between the request's answer and the workflow's first step, as time passes in Step
   * Functions between StartExecution and the first Lambda (a retention run there, say).
   */
  async requestRestore(payload: unknown, options: { beforeWorkflow?: () => Promise<unknown> } = {}): Promise<RequestRestoreResult> {
    this.beforeRestoreWorkflow = options.beforeWorkflow;
    try {
      return await this.restoreRequester(payload);
    } finally {
      this.beforeRestoreWorkflow = undefined;
    }
  }

  /** Invokes one Lambda handler directly, as `aws lambda invoke` would. */
  invoke(fn: SchedulerFunctionName, event: unknown): Promise<unknown> {
    this.log.resetKeys();
    return this.handlers[fn](event);
  }

  /** The Kubernetes API as the workflows see it (their identity, their RBAC), for arranging scenarios. */
  kube(targetName: string) {
    return this.deps.kube(this.target(targetName));
  }

  /** The execution a request started, by name. */
  execution(name: string): LocalExecution | undefined {
    return this.executions.find((e) => e.executionName === name);
  }

  async close(): Promise<void> {
    await this.server.close();
  }

  private localStarter(): WorkflowStarter {
    return {
      start: async ({ stateMachineArn, name, input }) => {
        const executionArn = `${stateMachineArn}:${name}`;
        if (this.executionNames.has(name)) return { started: false, executionArn };
        this.executionNames.add(name);
        if (stateMachineArn === 'local:restore') await this.beforeRestoreWorkflow?.();
        await this.runWorkflow(stateMachineArn.replace('local:', '') as LocalWorkflowKind, input, name);
        return { started: true, executionArn };
      },
    };
  }

  private dependencies(): WorkflowDependencies {
    const eks = new EKSClient({ region: TEST_REGION });
    mockClient(eks)
      .on(DescribeClusterCommand)
      .callsFake(() => ({
        cluster: {
          name: LOCAL_EKS_CLUSTER,
          status: 'ACTIVE',
          endpoint: this.server.url,
          certificateAuthority: { data: this.server.caData },
        },
      }));
    const { accessKeyId, secretAccessKey } = WORKFLOW_PRINCIPAL;
    return {
      kube: createKubeResourcesFactory({
        region: TEST_REGION,
        eks,
        credentials: async () => ({ accessKeyId, secretAccessKey, sessionToken: 'local-session-token' }),
        now: () => this.clock.now(),
        // The adapter's retries wait on the virtual clock: the time they take counts against the Lambda's timeout.
        retryClock: { now: () => this.clock.nowMs(), sleep: async (ms) => this.clock.advance(ms), random: seededRandom(RETRY_JITTER_SEED) },
      }),
      events: this.events,
      metrics: this.metrics,
      now: () => this.clock.now(),
      log: this.log,
    };
  }
}
