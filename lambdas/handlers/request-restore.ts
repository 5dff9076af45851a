import { ConflictError, InvalidInputError } from '../errors';
import type { WorkflowStarter } from '../adapters/workflow-starter';
import { CnpgLabel } from '../domain/cnpg-api';
import type { Backup, Cluster } from '../domain/kube-objects';
import { chooseRestoreBackup } from '../domain/restore-backup-choice';
import { buildRestorePlan, isSameRestoreRequest, type RestorePlan } from '../domain/restore-manifest';
import { parseRestoreRequest, restoreRequestId } from '../domain/restore-request';
import { restoreSummary, type RestoreSummary } from '../domain/restore-summary';
import type { RestoreWorkflowInput } from '../domain/restore-workflow-input';
import { SchedulerLabel } from '../domain/scheduler-metadata';
import { protectChosenBackup } from './protect-chosen-backup';
import type { WorkflowDependencies } from './workflow-dependencies';

export interface RequestRestoreDependencies extends Pick<WorkflowDependencies, 'catalog' | 'kube' | 'log' | 'now'> {
  starter: WorkflowStarter;
  restoreStateMachineArn: () => string;
}

export interface RequestRestoreResult extends RestoreSummary {
  dryRun: boolean;
  manifest: Cluster;
  requestId: string;
  executionName?: string;
  executionArn?: string;
  /** False when this request was already made: the earlier execution is the one to follow. */
  started?: boolean;
}

const executionNameOf = (clusterName: string, requestId: string) => `restore-${clusterName}-${requestId.slice(0, 12)}`;

/**
 * The operator's entry point: validates the request, chooses the backup, builds the Cluster manifest and (unless
 * dryRun) marks the backup as chosen, so that retention keeps it, and starts the restore workflow. Every rejection
 * happens before anything is changed.
 */
export function createRequestRestore(deps: RequestRestoreDependencies) {
  return async (event: unknown): Promise<RequestRestoreResult> => {
    const request = parseRestoreRequest(event, { targets: () => deps.catalog().targets, now: deps.now() });
    const { source } = request;
    deps.log.appendKeys({ clusterName: request.clusterName, sourceCluster: source.cluster });
    const kube = await deps.kube(deps.catalog().connection(source.eksCluster));
    const found = await kube.get('clusters', source.namespace, source.cluster);
    if (found && request.clusterName === source.cluster)
      throw new InvalidInputError(
        `Invalid restore request: clusterName: must differ from the source cluster ${source.cluster}, which exists in the same namespace (the name is free once the source is deleted)`,
        [`clusterName: must differ from the source cluster ${source.cluster}, which exists in the same namespace`],
      );
    // A Cluster being deleted is as good as gone: CNPG deletes its ServiceAccount with it.
    const live = found && !found.metadata.deletionTimestamp ? found : undefined;
    const backups = await kube.list('backups', source.namespace);
    const backup = chooseRestoreBackup(request.backupSelector, request.pointInTime, backups, source.cluster);
    const backupName = backup.metadata.name;
    const requestId = restoreRequestId(request, backupName);
    deps.log.appendKeys({ restoreRequest: requestId });
    const snapshots = await kube.list('volumesnapshots', source.namespace, { labelSelector: `${CnpgLabel.BackupName}=${backupName}` });
    const plan = buildRestorePlan({ live, source, backup, snapshots, request: { ...request, requestId } });

    const existing = await kube.get('clusters', source.namespace, request.clusterName);
    if (existing && !isSameRestoreRequest(existing, requestId))
      throw new ConflictError(`Cluster ${source.namespace}/${request.clusterName} already exists; choose another clusterName`);
    const earlier = (await kube.list('clusters', source.namespace, { labelSelector: `${SchedulerLabel.RestoreRequest}=${requestId}` }))[0];
    if (earlier && earlier.metadata.name !== request.clusterName) {
      if (request.clusterNameGiven)
        throw new ConflictError(
          `This request was already made: cluster ${source.namespace}/${earlier.metadata.name} was restored for it; pass another requestId or clusterName to restore again`,
        );
      // The same request again, with the default (time-stamped) name: it is the earlier restore, followed there.
      return earlierRestore(earlier, backup, plan, requestId, request.dryRun);
    }
    const summary = restoreSummary(plan, backup);
    const result = { ...summary, dryRun: request.dryRun, manifest: plan.manifest, requestId };
    for (const warning of plan.warnings) deps.log.warn('restore warning', { warning });
    if (request.dryRun) return result;

    const deadline = new Date(request.requestedAt.getTime() + request.timeoutMinutes * 60_000);
    await protectChosenBackup(deps.log, kube, backup, deadline);
    const input: RestoreWorkflowInput = {
      source: {
        target: source.target,
        eksCluster: source.eksCluster,
        namespace: source.namespace,
        cluster: source.cluster,
      },
      backup: backupName,
      requestId,
      timeoutSeconds: request.timeoutMinutes * 60,
      manifest: plan.manifest,
      summary,
    };
    const executionName = executionNameOf(request.clusterName, requestId);
    const { started, executionArn } = await deps.starter.start({
      stateMachineArn: deps.restoreStateMachineArn(),
      name: executionName,
      input,
    });
    deps.log.info(started ? 'restore started' : 'restore already requested; follow the existing execution', { backup: backupName });
    return { ...result, executionName, executionArn, started };
  };
}

function earlierRestore(earlier: Cluster, backup: Backup, plan: RestorePlan, requestId: string, dryRun: boolean): RequestRestoreResult {
  const clusterName = earlier.metadata.name;
  return {
    ...restoreSummary(plan, backup, clusterName),
    dryRun,
    manifest: earlier,
    requestId,
    executionName: executionNameOf(clusterName, requestId),
    started: false,
  };
}
