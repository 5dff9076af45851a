import * as z from '../domain/zod-mini';
import { ConflictError } from '../errors';
import { CnpgLabel } from '../domain/cnpg-api';
import { buildDrillPlan, drillClusterName, drillSelector, isDrillClusterOf } from '../domain/drill-cluster';
import type { DrillContext } from '../domain/drill-report';
import { chooseRestoreBackup } from '../domain/restore-backup-choice';
import { RESTORE_POLL_MIN_SECONDS } from '../domain/restore-progress';
import { applicationSecretName } from '../domain/restore-application-database';
import { SchedulerAnnotation, SchedulerLabel } from '../domain/scheduler-metadata';
import { parseInput } from '../domain/validation';
import { DrillWorkflowInputSchema } from '../domain/workflow-input';
import { protectChosenBackup } from './protect-chosen-backup';
import type { WorkflowDependencies } from './workflow-dependencies';

const StartDrillEventSchema = z.strictObject({ input: DrillWorkflowInputSchema, executionName: z.string().check(z.minLength(1)) });

/** Beyond the cluster's own timeout, the verification's: the backup stays protected from retention until both are over. */
const VERIFICATION_ALLOWANCE_MS = 30 * 60_000;

export interface StartDrillResult {
  context: DrillContext;
  progress: { state: 'restoring'; waitSeconds: number };
}

/**
 * First step of the drill workflow: one drill per target at a time, the latest completed backup, and the drill
 * Cluster restoring it (a retried step finds the Cluster it created and goes on with it).
 */
export function createStartDrill(deps: Pick<WorkflowDependencies, 'catalog' | 'kube' | 'log' | 'now'>) {
  return async (event: unknown): Promise<StartDrillResult> => {
    const { input, executionName } = parseInput(StartDrillEventSchema, event, 'drill workflow input');
    const target = deps.catalog().target(input.target, 'input.target');
    const now = deps.now();
    const clusterName = drillClusterName(target.cluster, input.scheduledTime ? new Date(input.scheduledTime) : now);
    deps.log.appendKeys({ target: target.name, execution: executionName, clusterName });
    const kube = await deps.kube(target);
    const drills = await kube.list('clusters', target.namespace, { labelSelector: drillSelector(target.name) });
    const mark = { target: target.name, executionName, clusterName };
    // A drill cluster being deleted is a finished drill's teardown, not a drill in progress.
    const other = drills.find((cluster) => !isDrillClusterOf(cluster, mark) && !cluster.metadata.deletionTimestamp);
    if (other)
      throw new ConflictError(
        `A drill of target ${target.name} is still in progress (cluster ${target.namespace}/${other.metadata.name}, execution ${other.metadata.annotations?.[SchedulerAnnotation.Execution] ?? 'unknown'}): one drill per target at a time`,
      );
    const own = drills.find((cluster) => isDrillClusterOf(cluster, mark));

    const found = await kube.get('clusters', target.namespace, target.cluster);
    const live = found && !found.metadata.deletionTimestamp ? found : undefined;
    const backups = await kube.list('backups', target.namespace);
    const restoredFrom = own?.metadata.labels?.[SchedulerLabel.RestoredFrom];
    const backup = chooseRestoreBackup(
      restoredFrom ? { kind: 'named', name: restoredFrom } : { kind: 'latest' },
      undefined,
      backups,
      target.cluster,
    );
    const backupName = backup.metadata.name;
    deps.log.appendKeys({ backup: backupName });
    const snapshots = await kube.list('volumesnapshots', target.namespace, { labelSelector: `${CnpgLabel.BackupName}=${backupName}` });
    const plan = buildDrillPlan({
      target: target.name,
      executionName,
      live,
      source: target,
      backup,
      snapshots,
      clusterName,
      now,
    });
    const timeoutSeconds = target.drill.timeoutMinutes * 60;
    await protectChosenBackup(deps.log, kube, backup, new Date(now.getTime() + timeoutSeconds * 1000 + VERIFICATION_ALLOWANCE_MS));
    const created = own ? { created: false as const, existing: own } : await kube.create('clusters', target.namespace, plan.manifest);
    if (!created.created && !isDrillClusterOf(created.existing, mark))
      throw new ConflictError(`Cluster ${target.namespace}/${clusterName} already exists and is not this drill's`);
    const cluster = created.created ? created.object : created.existing;
    if (created.created) deps.log.info('drill cluster created', { image: plan.image });
    return {
      context: {
        target: target.name,
        eksCluster: target.eksCluster,
        namespace: target.namespace,
        sourceCluster: target.cluster,
        clusterName,
        backup: backupName,
        backupEndedAt: backup.status?.stoppedAt ?? '',
        image: plan.image,
        applicationSecret: applicationSecretName(clusterName),
        database: plan.application.database,
        createdAt: cluster.metadata.creationTimestamp ?? now.toISOString(),
        timeoutSeconds,
        maxRtoMinutes: target.drill.maxRtoMinutes,
      },
      progress: { state: 'restoring', waitSeconds: RESTORE_POLL_MIN_SECONDS },
    };
  };
}
