import { ConflictError, PreconditionFailedError } from '../errors';
import type { WorkflowStarter } from '../adapters/workflow-starter';
import { CnpgLabel } from '../domain/cnpg-api';
import type { Cluster } from '../domain/kube-objects';
import { chooseRestoreBackup } from '../domain/restore-backup-choice';
import { buildRestoreCluster, isSameRestoreRequest } from '../domain/restore-manifest';
import { parseRestoreRequest } from '../domain/restore-request';
import { SchedulerLabel } from '../domain/scheduler-metadata';
import type { TargetSpec } from '../domain/target-spec';
import type { WorkflowDependencies } from './workflow-dependencies';

export interface RequestRestoreDependencies extends WorkflowDependencies {
  starter: WorkflowStarter;
  restoreStateMachineArn: () => string;
  targets: () => TargetSpec[];
}

export interface RequestRestoreResult {
  dryRun: boolean;
  backup: string;
  clusterName: string;
  namespace: string;
  manifest: Cluster;
  executionName?: string;
  executionArn?: string;
  /** False when this request was already made: the earlier execution is the one to follow. */
  started?: boolean;
}

/** Restore workflow input: everything the steps need, decided once here. */
export interface RestoreWorkflowInput {
  source: { target: string; eksCluster: string; namespace: string; cluster: string; auth: TargetSpec['auth'] };
  backup: string;
  requestId: string;
  timeoutSeconds: number;
  manifest: Cluster;
}

/**
 * The operator's entry point: validates the request, chooses the backup, builds the Cluster manifest and (unless
 * dryRun) starts the restore workflow. Every rejection happens before anything is created.
 */
export function createRequestRestore(deps: RequestRestoreDependencies) {
  return async (event: unknown): Promise<RequestRestoreResult> => {
    const request = parseRestoreRequest(event, { targets: deps.targets(), now: deps.now() });
    const { source } = request;
    deps.log.appendKeys({ restoreRequest: request.requestId, clusterName: request.clusterName, sourceCluster: source.cluster });
    const kube = await deps.kube(source);
    const sourceCluster = await kube.get('clusters', source.namespace, source.cluster);
    if (!sourceCluster) throw new PreconditionFailedError(`Cluster ${source.namespace}/${source.cluster} does not exist`);
    const backups = await kube.list('backups', source.namespace);
    const backup = chooseRestoreBackup(request.backupSelector, request.pointInTime, backups, source.cluster);
    const backupName = backup.metadata.name!;
    const snapshots = await kube.list('volumesnapshots', source.namespace, { labelSelector: `${CnpgLabel.BackupName}=${backupName}` });
    const manifest = buildRestoreCluster({ source: sourceCluster, backup, snapshots, request });

    const existing = await kube.get('clusters', source.namespace, request.clusterName);
    if (existing && !isSameRestoreRequest(existing, request.requestId))
      throw new ConflictError(`Cluster ${source.namespace}/${request.clusterName} already exists; choose another clusterName`);
    const earlier = (
      await kube.list('clusters', source.namespace, { labelSelector: `${SchedulerLabel.RestoreRequest}=${request.requestId}` })
    )[0];
    if (earlier && earlier.metadata.name !== request.clusterName && !request.dryRun)
      throw new ConflictError(
        `This request was already made: cluster ${source.namespace}/${earlier.metadata.name} was restored for it; pass another requestId or clusterName to restore again`,
      );
    const result = { dryRun: request.dryRun, backup: backupName, clusterName: request.clusterName, namespace: source.namespace, manifest };
    if (request.dryRun) return result;

    const input: RestoreWorkflowInput = {
      source: {
        target: source.target,
        eksCluster: source.eksCluster,
        namespace: source.namespace,
        cluster: source.cluster,
        auth: source.auth,
      },
      backup: backupName,
      requestId: request.requestId,
      timeoutSeconds: request.timeoutMinutes * 60,
      manifest,
    };
    const executionName = `restore-${request.clusterName}-${request.requestId.slice(0, 12)}`;
    const { started, executionArn } = await deps.starter.start({
      stateMachineArn: deps.restoreStateMachineArn(),
      name: executionName,
      input,
    });
    deps.log.info(started ? 'restore started' : 'restore already requested; follow the existing execution', { backup: backupName });
    return { ...result, executionName, executionArn, started };
  };
}
