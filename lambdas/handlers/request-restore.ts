import { ConflictError, InvalidInputError, PreconditionFailedError } from '../errors';
import type { RecoveryPointCatalog } from '../adapters/recovery-point-catalog';
import type { WorkflowStarter } from '../adapters/workflow-starter';
import { CnpgLabel } from '../domain/cnpg-api';
import type { Backup, Cluster } from '../domain/kube-objects';
import { chooseRestoreBackup } from '../domain/restore-backup-choice';
import { buildRestorePlan, isSameRestoreRequest, type RestorePlan } from '../domain/restore-manifest';
import { recordedBackup, recoveryPointImport, type RecoveryPointImport, type RestoreDestination } from '../domain/recovery-point-import';
import { locateRecoveryPoint, type LocatedRecoveryPoint, type RestoreRegions } from '../domain/recovery-point-location';
import { parseRestoreRequest, restoreRequestId, type RestoreRequest } from '../domain/restore-request';
import { restoreSummary, type RestoreSummary } from '../domain/restore-summary';
import type { RestoreWorkflowInput } from '../domain/restore-workflow-input';
import { SchedulerLabel } from '../domain/scheduler-metadata';
import type { TargetCatalog } from '../domain/target-catalog';
import { protectChosenBackup } from './protect-chosen-backup';
import type { WorkflowDependencies } from './workflow-dependencies';

export interface RequestRestoreDependencies extends Pick<WorkflowDependencies, 'catalog' | 'kube' | 'log' | 'now'> {
  starter: WorkflowStarter;
  restoreStateMachineArn: () => string;
  /** Read for a restore from the catalog (fromCatalog, toNamespace, toEksCluster). */
  recoveryPoints: RecoveryPointCatalog;
  /** The function's Region and the one the catalog's backups were taken in: a standby imports their copies. */
  regions: () => Omit<RestoreRegions, 'now'>;
}

export interface RequestRestoreResult extends RestoreSummary {
  dryRun: boolean;
  manifest: Cluster;
  requestId: string;
  executionName?: string;
  executionArn?: string;
  /** False when this request was already made: the earlier execution is the one to follow. */
  started?: boolean;
  /** A restore from the catalog: the Region whose storage snapshots it imports, and whether they are a copy's. */
  snapshots?: { region: string; from: LocatedRecoveryPoint['from'] };
}

const executionNameOf = (clusterName: string, requestId: string) => `restore-${clusterName}-${requestId.slice(0, 12)}`;

/**
 * The operator's entry point: validates the request, chooses the backup, builds the Cluster manifest and (unless
 * dryRun) marks the backup as chosen, so that retention keeps it, and starts the restore workflow. Every rejection
 * happens before anything is changed.
 */
export function createRequestRestore(deps: RequestRestoreDependencies) {
  return async (event: unknown): Promise<RequestRestoreResult> => {
    const parsed = parseRestoreRequest(event, { targets: () => deps.catalog().targets, now: deps.now() });
    const request = deps.catalog().restoresFromCatalogOnly ? { ...parsed, fromCatalog: true } : parsed;
    const { source, destination } = request;
    deps.log.appendKeys({ clusterName: request.clusterName, sourceCluster: source.cluster });
    if (request.fromCatalog) checkDestination(deps.catalog(), destination);
    const chosen = request.fromCatalog ? await fromCatalog(deps, request) : await fromCluster(deps, request);
    const { backup, requestId, plan } = chosen;
    deps.log.appendKeys({ restoreRequest: requestId });

    const kube = await deps.kube(deps.catalog().connection(destination.eksCluster));
    const existing = await kube.get('clusters', destination.namespace, request.clusterName);
    if (existing && !isSameRestoreRequest(existing, requestId))
      throw new ConflictError(`Cluster ${destination.namespace}/${request.clusterName} already exists; choose another clusterName`);
    const earlier = (
      await kube.list('clusters', destination.namespace, { labelSelector: `${SchedulerLabel.RestoreRequest}=${requestId}` })
    )[0];
    if (earlier && earlier.metadata.name !== request.clusterName) {
      if (request.clusterNameGiven)
        throw new ConflictError(
          `This request was already made: cluster ${destination.namespace}/${earlier.metadata.name} was restored for it; pass another requestId or clusterName to restore again`,
        );
      // The same request again, with the default (time-stamped) name: it is the earlier restore, followed there.
      return earlierRestore(earlier, backup, plan, requestId, request.dryRun);
    }
    const summary = restoreSummary(plan, backup);
    const located = chosen.located && { snapshots: { region: chosen.located.region, from: chosen.located.from } };
    const result = { ...summary, dryRun: request.dryRun, manifest: plan.manifest, requestId, ...located };
    for (const warning of plan.warnings) deps.log.warn('restore warning', { warning });
    if (request.dryRun) return result;

    await chosen.protect(new Date(request.requestedAt.getTime() + request.timeoutMinutes * 60_000));
    const input: RestoreWorkflowInput = {
      source: {
        target: source.target,
        eksCluster: source.eksCluster,
        namespace: source.namespace,
        cluster: source.cluster,
      },
      ...(chosen.imported &&
        chosen.located && {
          destination,
          import: { region: chosen.located.region, contents: chosen.imported.contents, snapshots: chosen.imported.snapshots },
        }),
      backup: backup.metadata.name,
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
    deps.log.info(started ? 'restore started' : 'restore already requested; follow the existing execution', {
      backup: backup.metadata.name,
    });
    return { ...result, executionName, executionArn, started };
  };
}

/** The backup a request restores, its plan, and how to keep it from retention until the restore's deadline. */
interface ChosenBackup {
  backup: Backup;
  requestId: string;
  plan: RestorePlan;
  /** A restore from the catalog: the snapshots to import into the destination, and where they are. */
  imported?: RecoveryPointImport;
  located?: LocatedRecoveryPoint;
  protect: (deadline: Date) => Promise<void>;
}

/** From the source namespace: its Backups and VolumeSnapshots, and the live Cluster if it is there. */
async function fromCluster(deps: RequestRestoreDependencies, request: RestoreRequest): Promise<ChosenBackup> {
  const { source } = request;
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
  const requestId = restoreRequestId(request, backup.metadata.name);
  const snapshots = await kube.list('volumesnapshots', source.namespace, {
    labelSelector: `${CnpgLabel.BackupName}=${backup.metadata.name}`,
  });
  const plan = buildRestorePlan({ live, source, backup, snapshots, request: { ...request, requestId } });
  return { backup, requestId, plan, protect: (deadline) => protectChosenBackup(deps.log, kube, backup, deadline) };
}

/**
 * From the recovery-point catalog: the target's records outside the cluster, so neither the source namespace nor its
 * EKS cluster needs to exist. The spec is the one the backup recorded (unless specFrom asks for the live Cluster).
 */
async function fromCatalog(deps: RequestRestoreDependencies, request: RestoreRequest): Promise<ChosenBackup> {
  const { source, destination } = request;
  const where = { ...deps.regions(), now: deps.now() };
  const records = await deps.recoveryPoints.recordsOf(source.target);
  const locations = records.map((record) => ({ backup: record.backup, location: locateRecoveryPoint(record, where) }));
  const here = locations.flatMap(({ location }) => ('located' in location ? [location.located] : []));
  let choice: Backup;
  try {
    choice = chooseRestoreBackup(
      request.backupSelector,
      request.pointInTime,
      here.map((located) => recordedBackup(located.record)),
      source.cluster,
    );
  } catch (error) {
    if (!(error instanceof PreconditionFailedError)) throw error;
    const { backupSelector } = request;
    const named = backupSelector.kind === 'named' ? locations.find((l) => l.backup === backupSelector.name)?.location : undefined;
    if (named && 'unavailable' in named)
      throw new PreconditionFailedError(`${named.unavailable}: no recovery point in ${where.region}`, { cause: error });
    const elsewhere = locations.flatMap(({ location }) => ('unavailable' in location ? [location.unavailable] : []));
    throw new PreconditionFailedError(
      `${error.message}, in the recovery-point catalog of target ${source.target} (${here.length} recovery points in ${where.region}${elsewhere.length > 0 ? `; not here: ${elsewhere.join('; ')}` : ''})`,
      { cause: error },
    );
  }
  const located = here.find((l) => l.record.backup === choice.metadata.name)!;
  const { record } = located;
  const requestId = restoreRequestId(request, record.backup);
  const imported = recoveryPointImport(record, destination, requestId);
  const live =
    request.specFrom === 'cluster'
      ? await (await deps.kube(deps.catalog().connection(source.eksCluster))).get('clusters', source.namespace, source.cluster)
      : undefined;
  const plan = buildRestorePlan({
    live,
    source: { namespace: destination.namespace, cluster: source.cluster },
    backup: imported.plan.backup,
    snapshots: imported.plan.snapshots,
    request: { ...request, requestId },
  });
  return {
    backup: imported.plan.backup,
    requestId,
    plan,
    imported,
    located,
    protect: async (deadline) => {
      // Where the source's Backup is still there, its retention runs too: keep the backup from it as a restore in
      // the source namespace would. Where the namespace or EKS cluster is gone, nothing there can delete it.
      try {
        const kube = await deps.kube(deps.catalog().connection(source.eksCluster));
        const backup = await kube.get('backups', source.namespace, record.backup);
        if (backup) await protectChosenBackup(deps.log, kube, backup, deadline);
      } catch (error) {
        deps.log.warn('the source Backup could not be marked as chosen: its namespace or EKS cluster is out of reach', {
          backup: record.backup,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    },
  };
}

/** A restore from the catalog creates objects only where the deployment's RBAC lets it write: its namespaces. */
function checkDestination(catalog: TargetCatalog, destination: RestoreDestination): void {
  const destinations = catalog.restoreDestinations();
  const known = destinations.map((d) => d.eksCluster);
  const namespaces = destinations.find((d) => d.eksCluster === destination.eksCluster)?.namespaces;
  if (!namespaces)
    throw new InvalidInputError(
      `Invalid restore request: toEksCluster: "${destination.eksCluster}" is no EKS cluster of this deployment (${known.join(', ')})`,
      ['toEksCluster'],
    );
  if (!namespaces.includes(destination.namespace))
    throw new InvalidInputError(
      `Invalid restore request: toNamespace: "${destination.namespace}" is no namespace of this deployment on ${destination.eksCluster} (${[...namespaces].sort().join(', ')}): the scheduler writes only where its RBAC is bound`,
      ['toNamespace'],
    );
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
