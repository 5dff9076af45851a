import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { parseDeploymentConfig, type DeploymentConfig } from '../lib/deployment-config';
import { renderManifests } from '../lib/kubernetes-manifest';
import { clusterManifests } from '../lib/kubernetes-manifests';
import { createKubeResourcesFactory } from '../lambdas/adapters/kube-resources-factory';
import type { EventPublisher } from '../lambdas/adapters/event-publisher';
import type { KubeResourcesFactory } from '../lambdas/adapters/kube-resources';
import type { SchedulerEvent } from '../lambdas/domain/scheduler-event';
import type { MetricsRecorder } from '../lambdas/adapters/metrics-recorder';
import type { RecoveryPointLedger } from '../lambdas/adapters/recovery-point-ledger';
import { readTargetCatalog } from '../lambdas/adapters/target-catalog-file';
import type { WorkflowStarter } from '../lambdas/adapters/workflow-starter';
import { createAuditRecoveryPoints, type AuditRecoveryPointsResult } from '../lambdas/handlers/audit-recovery-points';
import { createRecordRecoveryPoint } from '../lambdas/handlers/record-recovery-point';
import { executionNameFor } from '../lambdas/domain/execution-name';
import type { FannedWorkflow } from '../lambdas/domain/fan-out-schedule';
import type { TargetSpec, TargetSpecInput } from '../lambdas/domain/target-spec';
import { createApplyRetention } from '../lambdas/handlers/apply-retention';
import { createCheckBackup } from '../lambdas/handlers/check-backup';
import { createCheckDrill } from '../lambdas/handlers/check-drill';
import { createCheckRestore } from '../lambdas/handlers/check-restore';
import { createCreateRestoreCluster } from '../lambdas/handlers/create-restore-cluster';
import { createDispatchSchedule, type DispatchResult } from '../lambdas/handlers/dispatch-schedule';
import { createFinishDrill } from '../lambdas/handlers/finish-drill';
import { auditedTargets } from '../lambdas/handlers/discover-targets';
import { createPlanFanOut } from '../lambdas/handlers/plan-fan-out';
import { createReconcileRecoveryPoints } from '../lambdas/handlers/reconcile-recovery-points';
import { createReportFanOut } from '../lambdas/handlers/report-fan-out';
import { createReportWorkflowFailure } from '../lambdas/handlers/report-workflow-failure';
import { createRequestRestore, type RequestRestoreResult } from '../lambdas/handlers/request-restore';
import { createStartBackup } from '../lambdas/handlers/start-backup';
import { createStartDrill } from '../lambdas/handlers/start-drill';
import type { WorkflowDependencies } from '../lambdas/handlers/workflow-dependencies';
import { exampleCluster, exampleVolumeSnapshotClass, type ExampleClusterOptions } from './kube-api-server/fixtures';
import { startKubeApiTestServer, type KubeApiTestServer, type TestPrincipal } from './kube-api-server';
import { matchesPattern, targetInput, type EventBridgeEnvelope, type RuleTarget } from './eventbridge-rules';
import { MemoryLog } from './memory-log';
import { seededRandom } from './kube-api-server/seeded-random';
import { MemoryRecoveryPointLedger } from './memory-recovery-point-ledger';
import { MemoryRecoveryPointCatalog } from './memory-recovery-point-catalog';
import { RecordingEventPublisher } from './recording-event-publisher';
import { RecordingMetrics } from './recording-metrics';
import { VirtualClock } from './virtual-clock';
import {
  LocalWorkflowRunner,
  type ExecutionObserver,
  type LocalExecution,
  type LocalLambda,
} from './workflow-runner/local-workflow-runner';
import { TEST_ACCOUNT, TEST_REGION } from './workflow-runner/state-machine-definition';
import { synthesizeScheduler, type SchedulerFunctionName, type SynthesizedScheduler } from './workflow-runner/synthesized-scheduler';
import { startEc2StandIn, type Ec2StandInServer } from './aws-api/aws-api-stand-ins';
import { SimulatedStorageRegions } from './aws-api/storage-regions';
import type { StandInRole } from './aws-api/sts-stand-in';
import { createApplyCopyRetention } from '../lambdas/handlers/apply-copy-retention';
import { createCheckSnapshotCopies } from '../lambdas/handlers/check-snapshot-copies';
import { createStartSnapshotCopies } from '../lambdas/handlers/start-snapshot-copies';

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

/** The name the local recovery-point catalog goes by (a table's name in AWS): what the copies are tagged with. */
export const LOCAL_CATALOG_NAME = 'local-recovery-point-catalog';

export const HENDRIX: TargetSpecInput = { name: 'hendrix', eksCluster: LOCAL_EKS_CLUSTER, namespace: 'demo', cluster: 'hendrix' };

export type LocalWorkflowKind = 'backup' | 'retention' | 'restore' | 'drill' | 'backupFanOut' | 'retentionFanOut' | 'drillFanOut' | 'copy';

/** The Resource of a Task that starts another workflow (the Step Functions service integration). */
const START_EXECUTION_RESOURCE = 'arn:aws:states:::states:startExecution';

/** What the EventBridge schedule of a target's expression did for that target. */
export interface FiredSchedule {
  /** The tick the firing started (or found already started). */
  tick: DispatchResult;
  /** The target's slot execution, and whether this firing started it. */
  executionName: string;
  started: boolean;
}

export interface LocalSchedulerOptions {
  targets?: TargetSpecInput[];
  /** The simulated EKS clusters, one test server each (default: LOCAL_EKS_CLUSTER). */
  eksClusters?: string[];
  /** Any other deployment config fields (fanOut, ...). */
  config?: Record<string, unknown>;
  clock?: VirtualClock;
  /** The manifests the cluster holds (RBAC, admission policy); default: those `npm run k8s-manifests` makes for the targets. */
  manifests?: string[];
  /** A static bearer token with full access (a kind cluster's admin), for clients other than the workflows. */
  adminToken?: string;
  /** Seeds the example CNPG Cluster of each target (default true), with these options per cluster name. */
  seedClusters?: boolean;
  clusterOptions?: Record<string, Partial<ExampleClusterOptions>>;
  /** Also sends every metric point to this recorder, e.g. the production EMF recorder, to read what CloudWatch would. */
  exportMetrics?: MetricsRecorder;
  /** The recovery point ledger (default: in memory), e.g. the production DynamoDB adapter on the DynamoDB stand-in. */
  ledger?: RecoveryPointLedger;
  /** The account's storage, by Region (default: a new one); the simulated EKS clusters are in TEST_REGION. */
  storage?: SimulatedStorageRegions;
  /** Other accounts' storage (a vault account copies are kept in), and their roles the scheduler may assume. */
  accounts?: { storage: readonly SimulatedStorageRegions[]; roles: readonly StandInRole[] };
}

/** One invocation of a function by a state machine: which, and how long it took locally. */
export interface LocalInvocation {
  fn: SchedulerFunctionName;
  ms: number;
}

/** What the alarm topic received, and when. */
export interface LocalNotification {
  at: string;
  message: unknown;
}

/**
 * The whole scheduler running locally: the synthesized state machines on the local runner, the real handlers and
 * adapters, and the Kubernetes API test server in place of EKS. Only AWS itself is stood in for: DescribeCluster
 * answers with the test server, EventBridge is an in-memory recorder.
 */
export class LocalScheduler {
  private readonly executionNames = new Set<string>();
  private beforeRestoreWorkflow: (() => Promise<unknown>) | undefined;
  /** Executions started by a workflow (StartExecution is asynchronous): run after the starting execution ends. */
  private readonly startedByWorkflows: Array<{ kind: LocalWorkflowKind; name: string; input: string }> = [];
  private readonly runners: Record<Exclude<LocalWorkflowKind, 'copy'>, LocalWorkflowRunner>;
  /** The copy workflow, when the config makes disaster recovery copies. */
  private readonly copyRunner: LocalWorkflowRunner | undefined;
  private readonly dispatcher: (event: unknown) => Promise<DispatchResult>;
  private readonly restoreRequester: (event: unknown) => Promise<RequestRestoreResult>;
  private readonly handlers: Record<SchedulerFunctionName, LocalLambda>;
  private readonly deps: WorkflowDependencies;
  private readonly recordRecoveryPoint: (event: unknown) => Promise<void>;
  private readonly auditor: (event: unknown) => Promise<AuditRecoveryPointsResult>;
  private readonly delivered: Array<{ at: string; target: RuleTarget; event: EventBridgeEnvelope }> = [];
  private eventIds = 0;
  private nextAudit: number;
  /** Errors of the functions rules invoked (in AWS: the function's Errors metric, then its retries). */
  readonly deliveryFailures: unknown[] = [];
  /** Every invocation of a function by a state machine, with its local duration (handler and test server). */
  readonly invocations: LocalInvocation[] = [];
  /** The recovery-point catalog (DynamoDB in AWS): one record per completed backup, outside the EKS clusters. */
  readonly recoveryPoints = new MemoryRecoveryPointCatalog();

  private constructor(
    readonly config: DeploymentConfig,
    readonly clock: VirtualClock,
    /** The test server of each simulated EKS cluster. */
    readonly servers: ReadonlyMap<string, KubeApiTestServer>,
    readonly events: RecordingEventPublisher,
    readonly log: MemoryLog,
    readonly metrics: RecordingMetrics,
    readonly synthesized: SynthesizedScheduler,
    readonly executions: LocalExecution[],
    private readonly exportMetrics: MetricsRecorder | undefined,
    /** The recovery point ledger (DynamoDB in AWS). */
    readonly ledger: RecoveryPointLedger,
    /** The account's storage snapshots by Region (EBS in AWS): the EKS clusters' CSI driver cuts them in TEST_REGION. */
    readonly storage: SimulatedStorageRegions,
    /** EC2 on that storage (the stand-in, over HTTP), and the production adapter the handlers reach it with. */
    readonly ec2: Ec2StandInServer,
  ) {
    const deps = this.dependencies();
    this.deps = deps;
    const handlers: Record<SchedulerFunctionName, LocalLambda> = {
      startBackup: createStartBackup(deps),
      checkBackup: createCheckBackup({ ...deps, recoveryPoints: this.recoveryPoints }),
      applyRetention: createApplyRetention({ ...deps, recoveryPoints: this.recoveryPoints }),
      reportFailure: createReportWorkflowFailure(deps),
      dispatchSchedule: (event) => this.dispatcher(event),
      planFanOut: createPlanFanOut(deps),
      reportFanOut: createReportFanOut(deps),
      requestRestore: (event) => this.restoreRequester(event),
      createRestoreCluster: createCreateRestoreCluster(deps),
      checkRestore: createCheckRestore(deps),
      startDrill: createStartDrill(deps),
      checkDrill: createCheckDrill(deps),
      finishDrill: createFinishDrill(deps),
      reconcileRecoveryPoints: createReconcileRecoveryPoints({
        ...deps,
        recoveryPoints: this.recoveryPoints,
        storageSnapshots: ec2.storageSnapshots,
        accountSnapshots: ec2.accountSnapshots,
        region: () => TEST_REGION,
      }),
    };
    this.handlers = handlers;
    const lambdas = new Map<string, LocalLambda>(
      Object.entries(handlers).map(([name, fn]) => [
        synthesized.functionArns[name as SchedulerFunctionName],
        async (event: unknown) => {
          this.log.resetKeys();
          const began = performance.now();
          try {
            return await fn(event);
          } finally {
            this.invocations.push({ fn: name as SchedulerFunctionName, ms: performance.now() - began });
          }
        },
      ]),
    );
    const copyDeps = {
      catalog: deps.catalog,
      recoveryPoints: this.recoveryPoints,
      storageSnapshots: ec2.storageSnapshots,
      accountSnapshots: ec2.accountSnapshots,
      events: deps.events,
      metrics: deps.metrics,
      now: deps.now,
      log: this.log,
      region: () => TEST_REGION,
      catalogName: () => LOCAL_CATALOG_NAME,
    };
    const copyHandlers: Array<[string, LocalLambda]> = synthesized.copies
      ? [
          [synthesized.copies.functionArns.startSnapshotCopies, createStartSnapshotCopies(copyDeps)],
          [synthesized.copies.functionArns.checkSnapshotCopies, createCheckSnapshotCopies(copyDeps)],
          [synthesized.copies.functionArns.applyCopyRetention, createApplyCopyRetention(copyDeps)],
        ]
      : [];
    for (const [arn, fn] of copyHandlers)
      lambdas.set(arn, (event: unknown) => {
        this.log.resetKeys();
        return fn(event);
      });
    // A rejected promise, as the integration's error reaches the state machine, whether it throws or not.
    lambdas.set(START_EXECUTION_RESOURCE, (parameters) => Promise.resolve().then(() => this.startExecutionTask(parameters)));
    const runnerOptions = { lambdaTimeoutsMs: synthesized.lambdaTimeoutsMs };
    this.runners = {
      backup: new LocalWorkflowRunner(synthesized.backupDefinition, lambdas, clock, runnerOptions),
      retention: new LocalWorkflowRunner(synthesized.retentionDefinition, lambdas, clock, runnerOptions),
      restore: new LocalWorkflowRunner(synthesized.restoreDefinition, lambdas, clock, runnerOptions),
      drill: new LocalWorkflowRunner(synthesized.drillDefinition, lambdas, clock, runnerOptions),
      backupFanOut: new LocalWorkflowRunner(synthesized.backupFanOutDefinition, lambdas, clock, runnerOptions),
      retentionFanOut: new LocalWorkflowRunner(synthesized.retentionFanOutDefinition, lambdas, clock, runnerOptions),
      drillFanOut: new LocalWorkflowRunner(synthesized.drillFanOutDefinition, lambdas, clock, runnerOptions),
    };
    this.copyRunner = synthesized.copies && new LocalWorkflowRunner(synthesized.copies.definition, lambdas, clock, runnerOptions);
    this.dispatcher = createDispatchSchedule({
      starter: this.localStarter(),
      stateMachineArn: (workflow) => `local:${workflow}FanOut`,
      log: this.log,
    });
    this.restoreRequester = createRequestRestore({
      ...deps,
      starter: this.localStarter(),
      restoreStateMachineArn: () => 'local:restore',
      recoveryPoints: this.recoveryPoints,
      regions: () => ({ region: TEST_REGION, sourceRegion: TEST_REGION }),
    });
    this.recordRecoveryPoint = createRecordRecoveryPoint({
      ledger: this.ledger,
      recoveryPoints: this.recoveryPoints,
      storageSnapshots: ec2.storageSnapshots,
      region: () => TEST_REGION,
      now: deps.now,
      log: this.log,
    });
    this.auditor = createAuditRecoveryPoints({ ...deps, ledger: this.ledger, targets: () => auditedTargets(deps.catalog(), deps.kube) });
    this.nextAudit = clock.now().getTime() + this.auditIntervalMs();
  }

  static async start(options: LocalSchedulerOptions = {}): Promise<LocalScheduler> {
    const clock = options.clock ?? new VirtualClock();
    const config = parseDeploymentConfig({ ...options.config, targets: options.targets ?? [HENDRIX] });
    const servers = new Map<string, KubeApiTestServer>();
    // The EKS clusters of one deployment are in one account and Region: they reach the same EBS snapshots.
    const regions = options.storage ?? new SimulatedStorageRegions(TEST_ACCOUNT);
    const storage = regions.region(TEST_REGION);
    for (const eksClusterName of options.eksClusters ?? [LOCAL_EKS_CLUSTER]) {
      const server = await startKubeApiTestServer({
        clock,
        eksClusterName,
        region: TEST_REGION,
        storage,
        principals: [WORKFLOW_PRINCIPAL],
        manifests: options.manifests ?? [renderManifests('', clusterManifests(config).get(eksClusterName) ?? [])],
        ...(options.adminToken !== undefined && { adminToken: options.adminToken }),
      });
      server.seed(exampleVolumeSnapshotClass({ name: 'csi-aws-vsc', deletionPolicy: 'Delete' }));
      servers.set(eksClusterName, server);
    }
    if (options.seedClusters ?? true) {
      // Two targets may back up one Cluster (each under its own policy): it is seeded once.
      const clusters = new Map(config.targets.map((target) => [`${target.eksCluster}/${target.namespace}/${target.cluster}`, target]));
      for (const target of clusters.values()) {
        const server = servers.get(target.eksCluster);
        if (!server) throw new Error(`Target ${target.name} is on ${target.eksCluster}, which is not one of the simulated EKS clusters`);
        server.seed(exampleCluster({ namespace: target.namespace, name: target.cluster, ...options.clusterOptions?.[target.cluster] }));
      }
    }
    return new LocalScheduler(
      config,
      clock,
      servers,
      new RecordingEventPublisher(),
      new MemoryLog(),
      new RecordingMetrics(),
      synthesizeScheduler(config),
      [],
      options.exportMetrics,
      options.ledger ?? new MemoryRecoveryPointLedger(),
      regions,
      await startEc2StandIn({
        regions,
        ...(options.accounts && { accounts: options.accounts.storage, roles: options.accounts.roles }),
        now: () => clock.nowMs(),
      }),
    );
  }

  target(name: string): TargetSpec {
    const target = this.config.targets.find((t) => t.name === name);
    if (!target) throw new Error(`No target ${name}`);
    return target;
  }

  /** The test server of the first simulated EKS cluster (the only one, unless `eksClusters` says otherwise). */
  get server(): KubeApiTestServer {
    return this.servers.values().next().value!;
  }

  /**
   * What the EventBridge schedule of `expression` does at `scheduledTime`: invoke the dispatcher, which starts the tick
   * that fans out to every target due on it; then the executions the tick started run, one after another (unless
   * `runStarted` is false), on the virtual clock.
   */
  async fireExpression(
    workflow: FannedWorkflow,
    expression: string,
    scheduledTime: Date,
    options: { runStarted?: boolean } = {},
  ): Promise<DispatchResult> {
    const tick = await this.dispatcher({ workflow, schedule: expression, scheduledTime: scheduledTime.toISOString() });
    if (options.runStarted ?? true) await this.runStartedExecutions();
    return tick;
  }

  /** The schedule a target is on, fired as fireExpression does, with what it did for that target. */
  async fireSchedule(workflow: FannedWorkflow, targetName: string, scheduledTime: Date): Promise<FiredSchedule> {
    const target = this.target(targetName);
    const executionName = executionNameFor(target.name, workflow, scheduledTime);
    const known = this.executionNames.has(executionName);
    const expression = { backup: target.schedule, retention: target.retention.schedule, drill: target.drill.schedule }[workflow];
    const tick = await this.fireExpression(workflow, expression, scheduledTime);
    // A backup or drill slot is an execution the tick starts; a retention sweep runs inside the tick itself.
    const started = workflow === 'retention' ? tick.started : !known && this.executionNames.has(executionName);
    return { tick, executionName, started };
  }

  /** The names of the executions workflows have started and nothing has run yet, in name order. */
  startedExecutionNames(): string[] {
    return this.startedByWorkflows.map((e) => e.name).sort();
  }

  /** Runs, one after another, the executions workflows have started and nothing has run yet. */
  async runStartedExecutions(): Promise<void> {
    for (let next = this.startedByWorkflows.shift(); next; next = this.startedByWorkflows.shift())
      await this.runWorkflow(next.kind, JSON.parse(next.input), next.name);
  }

  /** A manual run: an execution of `workflow` started by hand with the given input. */
  async runWorkflow(
    workflow: LocalWorkflowKind,
    input: unknown,
    executionName = `manual-${this.executions.length + 1}`,
    observer: ExecutionObserver = {},
  ): Promise<LocalExecution> {
    const runner = workflow === 'copy' ? this.copyRunner : this.runners[workflow];
    if (!runner) throw new Error('local scheduler: the config makes no copies, so the stack has no copy workflow');
    const execution = await runner.run(input, executionName, observer);
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

  /**
   * The RequestRestore function with another way to start the restore workflow: a stand-in for the Step Functions
   * API starts it asynchronously, as StartExecution does, where `requestRestore` runs it to its end.
   */
  restoreRequesterWith(starter: WorkflowStarter, restoreStateMachineArn: string): (event: unknown) => Promise<RequestRestoreResult> {
    return createRequestRestore({
      ...this.deps,
      recoveryPoints: this.recoveryPoints,
      regions: () => ({ region: TEST_REGION, sourceRegion: TEST_REGION }),
      starter,
      restoreStateMachineArn: () => restoreStateMachineArn,
    });
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

  /** One run of the recovery point audit now, as its EventBridge schedule invokes it. */
  async auditRecoveryPoints(): Promise<AuditRecoveryPointsResult> {
    this.log.resetKeys();
    // A scheduled event (EventBridge user guide, "Creating a rule that runs on a schedule": source aws.events).
    return this.auditor({ ...this.envelope('aws.events', 'Scheduled Event', {}), resources: [] });
  }

  /** Every audit the schedule runs from the last one until `until`, each at its time on the virtual clock. */
  async runAuditSchedule(until: Date): Promise<void> {
    while (this.nextAudit <= until.getTime()) {
      if (this.nextAudit > this.clock.now().getTime()) this.clock.advanceTo(new Date(this.nextAudit));
      await this.auditRecoveryPoints();
      this.nextAudit += this.auditIntervalMs();
    }
  }

  /** What the alarm topic has received from the notification rule (its input transformer applied). */
  get notifications(): LocalNotification[] {
    return this.delivered.map(({ at, target, event }) => ({ at, message: targetInput(target, event) }));
  }

  async close(): Promise<void> {
    for (const server of this.servers.values()) await server.close();
    await this.ec2.close();
  }

  /**
   * The `states:startExecution` integration (request-response): returns at once; the execution runs later. A name
   * already used fails with StepFunctions.ExecutionAlreadyExistsException, except that the same name and input as an
   * execution not yet finished answer success, as StartExecution does (API reference, StartExecution: "idempotent").
   */
  private startExecutionTask(parameters: unknown): unknown {
    const { StateMachineArn, Name, Input } = parameters as { StateMachineArn: string; Name: string; Input: unknown };
    const kind = (Object.entries(this.synthesized.workflowArns) as Array<[LocalWorkflowKind, string]>).find(
      ([, arn]) => arn === StateMachineArn,
    )?.[0];
    if (!kind)
      throw Object.assign(new Error(`State machine ${StateMachineArn} does not exist`), {
        name: 'StepFunctions.StateMachineDoesNotExistException',
      });
    const input = JSON.stringify(Input);
    const executionArn = `${StateMachineArn.replace(':stateMachine:', ':execution:')}:${Name}`;
    if (this.executionNames.has(Name)) {
      const pending = this.startedByWorkflows.find((e) => e.name === Name);
      if (pending?.input === input) return { ExecutionArn: executionArn, StartDate: this.clock.now().toISOString() };
      throw Object.assign(new Error(`Execution Already Exists: '${executionArn}'`), {
        name: 'StepFunctions.ExecutionAlreadyExistsException',
      });
    }
    this.executionNames.add(Name);
    this.startedByWorkflows.push({ kind, name: Name, input });
    return { ExecutionArn: executionArn, StartDate: this.clock.now().toISOString() };
  }

  /** The audit's schedule, read from its rule in the template (`rate(N minutes)`). */
  private auditIntervalMs(): number {
    const { auditRecoveryPoints } = this.synthesized.monitoringFunctions;
    const rule = this.synthesized.rules.find((r) => r.scheduleExpression && r.targets.some((t) => t.resource === auditRecoveryPoints));
    const minutes = /^rate\((\d+) minutes?\)$/.exec(rule?.scheduleExpression ?? '')?.[1];
    if (!minutes) throw new Error(`local scheduler: no rate schedule runs the audit (${rule?.scheduleExpression ?? 'none'})`);
    return Number(minutes) * 60_000;
  }

  private envelope(source: string, detailType: string, detail: Record<string, unknown>): EventBridgeEnvelope {
    this.eventIds += 1;
    return {
      version: '0',
      id: `local-${this.eventIds}`,
      'detail-type': detailType,
      source,
      account: TEST_ACCOUNT,
      time: this.clock.now().toISOString(),
      region: TEST_REGION,
      resources: [],
      detail,
    };
  }

  /**
   * EventBridge in front of the recorder: what is published is kept, then each rule of the template that matches it
   * delivers it to its targets: the recovery point recorder is invoked, the alarm topic receives its message.
   */
  private eventBus(): EventPublisher {
    return {
      publish: async (batch: readonly SchedulerEvent[]) => {
        await this.events.publish(batch);
        for (const event of batch) {
          // The source EventBridgeEventPublisher puts on every entry.
          const envelope = this.envelope('cnpg-snapshot-scheduler', event.detailType, structuredClone(event.detail));
          for (const rule of this.synthesized.rules) {
            if (!rule.eventPattern || !matchesPattern(rule.eventPattern, envelope as unknown as Record<string, unknown>)) continue;
            for (const target of rule.targets) await this.deliver(target, envelope);
          }
        }
      },
    };
  }

  /**
   * Lambda targets are invoked asynchronously (EventBridge user guide, "Event bus targets"): a failure never reaches the
   * publisher. A state machine target is started (StartExecution, with the target's input and a name EventBridge picks),
   * and runs after what published the event, as the executions workflows start do.
   */
  private async deliver(target: RuleTarget, event: EventBridgeEnvelope): Promise<void> {
    if (target.resource === this.synthesized.copies?.stateMachine)
      this.startedByWorkflows.push({ kind: 'copy', name: `rule-${event.id}`, input: JSON.stringify(targetInput(target, event)) });
    else if (target.resource === this.synthesized.monitoringFunctions.recordRecoveryPoint)
      await this.recordRecoveryPoint(targetInput(target, event)).catch((error: unknown) => this.deliveryFailures.push(error));
    else if (target.resource === this.synthesized.alarmTopic) this.delivered.push({ at: event.time, target, event });
    else throw new Error(`local scheduler: rule target ${target.resource} is not modelled`);
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
    // The catalog the synthesized layer ships, read the way the deployed Lambdas read it.
    const catalog = readTargetCatalog(this.synthesized.targetCatalogPath);
    return {
      catalog: () => catalog,
      kube: localKubeConnections(this.servers, this.clock),
      events: this.eventBus(),
      metrics: {
        record: (points, target) => {
          this.metrics.record(points, target);
          this.exportMetrics?.record(points, target);
        },
      },
      now: () => this.clock.now(),
      log: this.log,
    };
  }
}

/**
 * The production Kubernetes adapter as the workflows' IAM role reaches the simulated EKS clusters: DescribeCluster
 * answers with each test server, the token is signed with the workflow role's credentials, and the adapter's retries
 * wait on the virtual clock (the time they take counts against the Lambda's timeout).
 */
export function localKubeConnections(
  servers: ReadonlyMap<string, KubeApiTestServer>,
  clock: VirtualClock,
  region = TEST_REGION,
): KubeResourcesFactory {
  const eks = new EKSClient({ region });
  mockClient(eks)
    .on(DescribeClusterCommand)
    .callsFake((input: { name?: string }) => {
      const server = servers.get(input.name ?? '');
      if (!server) throw Object.assign(new Error(`No cluster found for name: ${input.name}.`), { name: 'ResourceNotFoundException' });
      return { cluster: { name: input.name, status: 'ACTIVE', endpoint: server.url, certificateAuthority: { data: server.caData } } };
    });
  const { accessKeyId, secretAccessKey } = WORKFLOW_PRINCIPAL;
  return createKubeResourcesFactory({
    region,
    eks,
    credentials: () => Promise.resolve({ accessKeyId, secretAccessKey, sessionToken: 'local-session-token' }),
    now: () => clock.now(),
    retryClock: {
      now: () => clock.nowMs(),
      sleep: (ms) => {
        clock.advance(ms);
        return Promise.resolve();
      },
      random: seededRandom(RETRY_JITTER_SEED),
    },
  });
}
