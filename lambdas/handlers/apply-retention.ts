import * as z from 'zod';
import { CnpgLabel } from '../domain/cnpg-api';
import { planRetention, type RetentionPlan } from '../domain/retention-plan';
import { retentionAppliedEvent, retentionMetrics, summarizePlan, type RetentionRunSummary } from '../domain/retention-events';
import { parseInput } from '../domain/validation';
import { RetentionWorkflowInputSchema } from '../domain/workflow-input';
import type { KubeResources } from '../adapters/kube-resources';
import type { WorkflowDependencies } from './workflow-dependencies';

/** `input` is the retention workflow's input (or, after a backup, the target of the backup workflow), checked as strictly. */
const ApplyRetentionEventSchema = z.strictObject({
  input: RetentionWorkflowInputSchema,
  trigger: z.enum(['backup', 'schedule', 'manual']).default('manual'),
});

/** Deletions per run are bounded so one run always fits the Lambda timeout; the next run continues a backlog. */
export const MAX_DELETIONS_PER_RUN = 400;

export interface ApplyRetentionResult {
  summary: RetentionRunSummary;
  /** The whole plan, on dry runs only (it can be long). */
  plan?: RetentionPlan;
}

/** Plans retention from what the cluster holds now, deletes what the plan says (Backup first, then its snapshots). */
export function createApplyRetention(deps: WorkflowDependencies) {
  return async (event: unknown): Promise<ApplyRetentionResult> => {
    const { input, trigger } = parseInput(ApplyRetentionEventSchema, event, 'retention workflow input');
    const { target, dryRun } = input;
    deps.log.appendKeys({ target: target.name, retentionTrigger: trigger });
    const kube = await deps.kube(target);
    const namespace = target.namespace;
    const [backups, snapshots, clusters, claims] = await Promise.all([
      kube.list('backups', namespace),
      kube.list('volumesnapshots', namespace, { labelSelector: CnpgLabel.BackupName }),
      kube.list('clusters', namespace),
      kube.list('persistentvolumeclaims', namespace),
    ]);
    const plan = planRetention({
      cluster: target.cluster,
      backups,
      snapshots,
      clusters,
      claims,
      policy: target.retention,
      now: deps.now(),
    });

    const doomedSnapshots = plan.snapshots.filter((s) => s.action === 'delete');
    const classNames = new Set(
      snapshots
        .filter((s) => doomedSnapshots.some((d) => d.name === s.metadata.name))
        .map((s) => s.spec.volumeSnapshotClassName)
        .filter((name): name is string => Boolean(name)),
    );
    const retainClasses = await retainingClasses(kube, [...classNames]);
    for (const name of retainClasses) deps.log.warn('snapshot class retains storage on delete', { volumeSnapshotClass: name });

    const deletion = dryRun ? { deletedBackups: [], deletedSnapshots: [], deferred: 0 } : await executePlan(kube, namespace, plan);
    const summary: RetentionRunSummary = { trigger, dryRun, ...deletion, ...summarizePlan(plan), retainClasses };
    deps.metrics.record(retentionMetrics(summary), target.name);
    await deps.events.publish([retentionAppliedEvent(target, summary)]);
    deps.log.info('retention applied', {
      dryRun,
      deletedBackups: summary.deletedBackups.length,
      deletedSnapshots: summary.deletedSnapshots.length,
      deferred: summary.deferred,
    });
    return dryRun ? { summary, plan } : { summary };
  };
}

async function retainingClasses(kube: KubeResources, names: string[]): Promise<string[]> {
  const classes = await Promise.all(names.map((name) => kube.get('volumesnapshotclasses', '', name)));
  return classes.filter((c) => c?.deletionPolicy === 'Retain').map((c) => c!.metadata.name!);
}

async function executePlan(kube: KubeResources, namespace: string, plan: RetentionPlan) {
  const deletedBackups: string[] = [];
  const deletedSnapshots: string[] = [];
  let budget = MAX_DELETIONS_PER_RUN;
  const doomedSnapshots = plan.snapshots.filter((s) => s.action === 'delete');
  const deleteSnapshots = async (names: string[]) => {
    for (const name of names) {
      if (budget <= 0) return;
      await kube.delete('volumesnapshots', namespace, name);
      deletedSnapshots.push(name);
      budget -= 1;
    }
  };
  // Oldest first, so a run cut short by its budget has removed the least valuable objects.
  for (const backup of [...plan.backups].reverse().filter((b) => b.action === 'delete')) {
    const own = doomedSnapshots.filter((s) => s.backupName === backup.name).map((s) => s.name);
    if (budget < 1 + own.length) break;
    await kube.delete('backups', namespace, backup.name);
    deletedBackups.push(backup.name);
    budget -= 1;
    await deleteSnapshots(own);
  }
  // Snapshots whose Backup is already gone (orphans, leftovers of a crashed run) go last.
  const doomedBackups = new Set(plan.backups.filter((b) => b.action === 'delete').map((b) => b.name));
  await deleteSnapshots(doomedSnapshots.filter((s) => !s.backupName || !doomedBackups.has(s.backupName)).map((s) => s.name));
  const doomed = doomedBackups.size + doomedSnapshots.length;
  return { deletedBackups, deletedSnapshots, deferred: doomed - deletedBackups.length - deletedSnapshots.length };
}
