import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import type { RecoveryPointCatalog } from '../lambdas/adapters/recovery-point-catalog';
import { createKubeResourcesFactory } from '../lambdas/adapters/kube-resources-factory';
import type { KubeResourcesFactory } from '../lambdas/adapters/kube-resources';
import type { WorkflowStarter } from '../lambdas/adapters/workflow-starter';
import type { BackupFollowState } from '../lambdas/domain/backup-progress';
import { CnpgLabel } from '../lambdas/domain/cnpg-api';
import type { RestoreEventContext } from '../lambdas/domain/restore-events';
import type { RestoreProgress } from '../lambdas/domain/restore-progress';
import { RestoreSummarySchema } from '../lambdas/domain/restore-summary';
import { RestoreWorkflowInputSchema, type RestoreWorkflowInput } from '../lambdas/domain/restore-workflow-input';
import { FanOutSettingsSchema, TargetCatalog } from '../lambdas/domain/target-catalog';
import type { TargetSpec } from '../lambdas/domain/target-spec';
import { createApplyRetention } from '../lambdas/handlers/apply-retention';
import { createCheckBackup } from '../lambdas/handlers/check-backup';
import { createCheckRestore } from '../lambdas/handlers/check-restore';
import { createCreateRestoreCluster } from '../lambdas/handlers/create-restore-cluster';
import { createRequestRestore, type RequestRestoreResult } from '../lambdas/handlers/request-restore';
import { createStartBackup } from '../lambdas/handlers/start-backup';
import type { WorkflowDependencies } from '../lambdas/handlers/workflow-dependencies';
import type { Log } from '../lambdas/runtime/logger';
import { CliError } from './cli-error';
import { clusterTime } from './cluster-clock';
import { refusal } from './handler-refusal';
import type { SchedulerOperations } from './scheduler-operations';
import type { RestoreOrder, RunState, StartedRun } from './scheduler-run';

export interface KubeconfigSource {
  path: string;
  context?: string;
}

/**
 * kubeconfig mode has no deployment, so no recovery-point catalog (a DynamoDB table of the stack): a completed
 * backup is recorded nowhere, and a dry run reads and changes nothing.
 */
const NO_CATALOG: RecoveryPointCatalog = {
  record: () => Promise.resolve(),
  recordsOf: () => Promise.reject(new Error('kubeconfig mode has no recovery-point catalog to read')),
  recordOf: () => Promise.reject(new Error('kubeconfig mode has no recovery-point catalog to read')),
  updateVolumes: () => Promise.reject(new Error('kubeconfig mode has no recovery-point catalog to update')),
  expire: () => Promise.reject(new Error('a retention dry run expires nothing')),
  remove: () => Promise.reject(new Error('a retention dry run removes nothing')),
  addCopy: () => Promise.reject(new Error('kubeconfig mode makes no disaster recovery copies')),
  completeCopy: () => Promise.reject(new Error('kubeconfig mode makes no disaster recovery copies')),
  removeCopy: () => Promise.reject(new Error('kubeconfig mode makes no disaster recovery copies')),
};

/** What the check of a backup needs besides the cluster, in kubeconfig mode: none of it reaches AWS. */
const NO_AWS = { recoveryPoints: NO_CATALOG };

const silentLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined, appendKeys: () => undefined };

/** The name the CLI's backups carry as their execution (CNPG shows it in the Backup's annotations). */
const CLI_EXECUTION = 'cnpg-snapshot-scheduler-cli';
/** The restore request's default (RestoreRequestSchema): how long a restore may take. */
const DEFAULT_RESTORE_TIMEOUT_SECONDS = 120 * 60;

/**
 * Operations on any Kubernetes cluster running CNPG, reached with a kubeconfig: no AWS at all. Each step is the
 * handler the deployed workflow runs (StartBackup then CheckBackup; RequestRestore, CreateRestoreCluster then
 * CheckRestore; the retention dry run), given the kubeconfig's connection, no events or metrics (there is no bus),
 * and the API server's time.
 */
export function kubeconfigOperations(source: KubeconfigSource): SchedulerOperations {
  // A local run: the one place kubeconfig auth is allowed.
  const factory = createKubeResourcesFactory({ region: 'local', allowKubeconfig: true });
  const kube: KubeResourcesFactory = (target) =>
    factory({
      eksCluster: target.eksCluster,
      auth: { kind: 'kubeconfig', path: source.path, ...(source.context && { context: source.context }) },
    });
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(source.path);
  if (source.context) kubeconfig.setCurrentContext(source.context);

  const dependencies = (target: TargetSpec, now: Date): WorkflowDependencies => {
    const catalog = new TargetCatalog({ targets: [target], fanOut: FanOutSettingsSchema.parse({}), policies: {}, discovery: [] });
    return {
      catalog: () => catalog,
      kube,
      events: { publish: () => Promise.resolve() },
      metrics: { record: () => undefined },
      now: () => now,
      log: silentLog,
    };
  };
  /** Each step runs at the cluster's time, read just before it. */
  const at = async (target: TargetSpec) => dependencies(target, await clusterTime(kubeconfig));

  /**
   * RequestRestore, here: refuses a destination other than the source's (no catalog to import from), and takes the
   * restore workflow's input instead of starting it (its first step runs in the CLI, right after); a dry run starts
   * nothing.
   */
  const requestRestore = async (target: TargetSpec, { toNamespace, toEksCluster, ...order }: RestoreOrder, dryRun: boolean) => {
    if (toEksCluster !== undefined && toEksCluster !== target.eksCluster)
      throw new CliError(
        `--to-eks-cluster ${toEksCluster}: in kubeconfig mode a restore goes into the cluster the kubeconfig reaches (the source's, ${target.eksCluster}): ` +
          "restoring into another EKS cluster imports the snapshots from the deployment's recovery-point catalog, which only --stack mode reaches.",
      );
    if (toNamespace !== undefined && toNamespace !== target.namespace)
      throw new CliError(
        `--to-namespace ${toNamespace}: in kubeconfig mode a restore goes into the source's namespace (${target.namespace}): a volume is restored only from a VolumeSnapshot in its own namespace, ` +
          "and restoring elsewhere imports the snapshots from the deployment's recovery-point catalog, which only --stack mode reaches.",
      );
    const deps = await at(target);
    let workflowInput: RestoreWorkflowInput | undefined;
    const starter: WorkflowStarter = {
      start: ({ name, input }) => {
        workflowInput = RestoreWorkflowInputSchema.parse(input);
        return Promise.resolve({ started: true, executionArn: `kubeconfig:${name}` });
      },
    };
    const request = createRequestRestore({
      ...deps,
      starter,
      restoreStateMachineArn: () => 'kubeconfig:restore',
      recoveryPoints: NO_CATALOG,
      regions: () => {
        throw new Error('kubeconfig mode restores from the source namespace, in no Region of a catalog');
      },
    });
    const result = await request({ target: target.name, ...order, dryRun }).catch((error: unknown) => {
      throw refusal(error, `Nothing was changed. See the backups there are with: cnpg-snapshot-scheduler backups ${target.name}`);
    });
    return { result, workflowInput };
  };

  return {
    async retentionPlan(target, time) {
      const dryRun = createApplyRetention({ ...dependencies(target, time), recoveryPoints: NO_CATALOG });
      const { plan } = await dryRun({ input: { target: target.name, dryRun: true }, trigger: 'manual' });
      if (!plan) throw new Error('the retention dry run returned no plan');
      return plan;
    },

    ledgerRecords() {
      // The ledger is a DynamoDB table of the deployment, written by the deployed drill workflow's events.
      return Promise.resolve(undefined);
    },

    async snapshots(target) {
      return (await kube(target)).list('volumesnapshots', target.namespace, { labelSelector: `${CnpgLabel.Cluster}=${target.cluster}` });
    },

    async backup(target) {
      const deps = await at(target);
      const start = await createStartBackup(deps)({ input: { target: target.name }, executionName: CLI_EXECUTION }).catch(
        (error: unknown) => {
          throw refusal(error, `Fix what it names, then run the backup of ${target.name} again.`);
        },
      );
      if (start.progress.state === 'skipped')
        throw new CliError(
          `${start.progress.reason}. Wait for it to end (cnpg-snapshot-scheduler backups ${target.name} shows its phase), then run the backup again.`,
        );
      return followedBackup(target, start.follow, async () => ({ ...(await at(target)), ...NO_AWS }));
    },

    async restore(target, order) {
      const { result, workflowInput } = await requestRestore(target, order, false);
      const context = workflowInput
        ? (await createCreateRestoreCluster(await at(target))({ input: workflowInput })).context
        : earlierRestoreContext(target, result);
      return followedRestore(result, context, workflowInput?.timeoutSeconds ?? DEFAULT_RESTORE_TIMEOUT_SECONDS, () => at(target));
    },

    async previewRestore(target, order) {
      return (await requestRestore(target, order, true)).result;
    },

    drill() {
      return Promise.reject(
        new CliError(
          'drill runs only against a deployed stack (--stack <name>): a drill is the deployed drill workflow, with its verification Job and teardown, which kubeconfig mode does not have.',
        ),
      );
    },
  };
}

function followedBackup(
  target: TargetSpec,
  first: BackupFollowState,
  deps: () => Promise<Parameters<typeof createCheckBackup>[0]>,
): StartedRun {
  let follow = first;
  const ref = `${follow.namespace}/${follow.name}`;
  return {
    started: `Backup ${ref} of target ${target.name} created`,
    follow:
      `Follow it with: kubectl -n ${follow.namespace} get backups.postgresql.cnpg.io ${follow.name} -w ` +
      `(in kubeconfig mode only --wait marks its snapshots as the scheduler's and retains their contents once it completes)`,
    async check(): Promise<RunState> {
      const result = await createCheckBackup(await deps())({ target: target.name, follow });
      follow = result.follow;
      const { progress } = result;
      switch (progress.state) {
        case 'waiting':
          return { done: false, phase: progress.phase };
        case 'completed':
          return {
            done: true,
            ok: true,
            phase: progress.phase,
            summary: `Backup ${ref} completed in ${progress.durationSeconds} s (${progress.snapshots.length} snapshots${progress.stoppedAt ? `, ended ${progress.stoppedAt}` : ''})`,
          };
        default:
          return {
            done: true,
            ok: false,
            phase: progress.phase,
            reason: `Backup ${ref} ${progress.state === 'timedOut' ? 'timed out' : progress.state}: ${progress.reason}`,
          };
      }
    },
  };
}

/** The restore this same request already made (RequestRestore answered `started: false`): followed where it is. */
function earlierRestoreContext(target: TargetSpec, result: RequestRestoreResult): RestoreEventContext {
  const summary = RestoreSummarySchema.parse(
    Object.fromEntries(
      Object.keys(RestoreSummarySchema.shape).flatMap((key) => (key in result ? [[key, result[key as keyof typeof result]]] : [])),
    ),
  );
  return {
    ...summary,
    target: target.name,
    eksCluster: target.eksCluster,
    sourceCluster: target.cluster,
    requestId: result.requestId,
    createdAt: result.manifest.metadata.creationTimestamp ?? new Date().toISOString(),
  };
}

function followedRestore(
  result: RequestRestoreResult,
  first: RestoreEventContext,
  timeoutSeconds: number,
  deps: () => Promise<WorkflowDependencies>,
): StartedRun {
  let checks = 0;
  const ref = `${result.namespace}/${result.clusterName}`;
  const warnings = result.warnings.map((warning) => `\n  warning: ${warning}`).join('');
  return {
    started:
      `${result.started === false ? 'Restore already requested: cluster' : 'Restore started: cluster'} ${ref} from backup ${result.backup} ` +
      `(ended ${result.backupEndedAt}, WAL replay: ${result.walReplay}); applications connect with Secret ${result.applicationSecret}${warnings}`,
    follow: `Follow it with: kubectl -n ${result.namespace} get clusters.postgresql.cnpg.io ${result.clusterName} -w, or run the same restore again with --wait`,
    async check(): Promise<RunState> {
      const answer = await createCheckRestore(await deps())({ context: first, checks, timeoutSeconds });
      checks = answer.checks;
      return restoreState(ref, answer.progress);
    },
  };
}

function restoreState(ref: string, progress: RestoreProgress): RunState {
  switch (progress.state) {
    case 'waiting':
      return { done: false, phase: progress.phase || 'creating' };
    case 'ready':
      return {
        done: true,
        ok: true,
        phase: progress.phase,
        summary: `Cluster ${ref} is ready (since ${progress.readyAt})`,
        rtoSeconds: progress.rtoSeconds,
      };
    default:
      return {
        done: true,
        ok: false,
        phase: progress.phase,
        reason: `Restore into ${ref} ${progress.state === 'timedOut' ? 'timed out' : 'failed'}: ${progress.reason}`,
      };
  }
}
