import * as z from '../domain/zod-mini';
import { CnpgLabel } from '../domain/cnpg-api';
import { scheduleDeletions, type DeletionSchedule } from '../domain/retention-deletions';
import { retentionAppliedEvent, retentionMetrics, summarizePlan, type RetentionRunSummary } from '../domain/retention-events';
import { planRetention, type RetentionPlan, type SnapshotDecision } from '../domain/retention-plan';
import { snapshotMarks } from '../domain/scheduler-metadata';
import { parseInput } from '../domain/validation';
import { RetentionWorkflowInputSchema } from '../domain/workflow-input';
import type { KubeResources } from '../adapters/kube-resources';
import type { RecoveryPointCatalog } from '../adapters/recovery-point-catalog';
import { catalogChangesOfRetention, type RecoveryPointRecord } from '../domain/recovery-point-record';
import { catalogReadsOfRetention, type CatalogReads } from '../domain/retention-catalog-reads';
import type { TargetSpec } from '../domain/target-spec';
import type { WorkflowDependencies } from './workflow-dependencies';

export interface ApplyRetentionDependencies extends WorkflowDependencies {
  recoveryPoints: RecoveryPointCatalog;
}

/** `input` is the retention workflow's input (or, after a backup, the target of the backup workflow), checked as strictly. */
const ApplyRetentionEventSchema = z.strictObject({
  input: RetentionWorkflowInputSchema,
  trigger: z._default(z.enum(['backup', 'schedule', 'manual']), 'manual'),
});

/** Requests (marks and deletions) per run are bounded so one run always fits the Lambda timeout; the next run continues. */
export const MAX_REQUESTS_PER_RUN = 400;

export interface ApplyRetentionResult {
  summary: RetentionRunSummary;
  /** The whole plan, on dry runs only (it can be long). */
  plan?: RetentionPlan;
}

type Outcome = Pick<
  RetentionRunSummary,
  'deletedBackups' | 'deletedSnapshots' | 'deletingBackups' | 'deletingSnapshots' | 'stillDeletingBackups' | 'stillDeletingSnapshots'
>;

/**
 * Plans retention from what the cluster's objects are now and carries out the deletion schedule (the domain's
 * rules: order, budget, marks). Reads only this cluster's VolumeSnapshots (CNPG clones the PVC's `cnpg.io/cluster`
 * label onto each); Clusters and claims of the whole namespace, since a restore of any name may still need a
 * snapshot. Backups: under scope `managed` only those labelled with the cluster, which every Backup of ours is (the
 * only ones in scope); under scope `all` every Backup of the namespace, since CNPG's backup controller labels none
 * (only the kubectl plugin and ScheduledBackups do): one applied from a manifest would be missed, and its snapshots
 * taken for orphans. CRDs offer no field selector on spec.cluster.name.
 */
export function createApplyRetention(deps: ApplyRetentionDependencies) {
  return async (event: unknown): Promise<ApplyRetentionResult> => {
    const { input, trigger } = parseInput(ApplyRetentionEventSchema, event, 'retention workflow input');
    const { dryRun } = input;
    const target = deps.catalog().resolve(input.target, 'input.target');
    deps.log.appendKeys({ target: target.name, retentionTrigger: trigger });
    const kube = await deps.kube(target);
    const namespace = target.namespace;
    const ofCluster = { labelSelector: `${CnpgLabel.Cluster}=${target.cluster}` };
    const [backups, snapshots, clusters, claims] = await Promise.all([
      kube.list('backups', namespace, target.retention.scope === 'all' ? {} : ofCluster),
      kube.list('volumesnapshots', namespace, ofCluster),
      kube.list('clusters', namespace),
      kube.list('persistentvolumeclaims', namespace),
    ]);
    const now = deps.now();
    const plan = planRetention({
      target: target.name,
      cluster: target.cluster,
      backups,
      snapshots,
      clusters,
      claims,
      policy: target.retention,
      now,
    });
    const schedule = scheduleDeletions(plan, { scope: target.retention.scope, budget: MAX_REQUESTS_PER_RUN });

    const retainedContents = await retainedContentsOf(kube, deletedUnreleased(plan, schedule));
    if (retainedContents.length > 0)
      deps.log.warn('deleted snapshots keep their storage: bound contents have deletionPolicy Retain', { retainedContents });

    const outcome = dryRun
      ? inProgressOnly(schedule)
      : await withCatalog(
          deps,
          target,
          schedule,
          catalogReadsOfRetention(trigger, plan, schedule),
          snapshots.map((s) => s.metadata.name),
          () => carryOut(kube, namespace, target.name, schedule),
        );
    const deferred = schedule.deferred.backups.length + schedule.deferred.snapshots.length;
    const summary: RetentionRunSummary = { trigger, dryRun, ...outcome, ...summarizePlan(plan), deferred, retainedContents };
    deps.metrics.record(retentionMetrics(summary), target.name);
    await deps.events.publish([retentionAppliedEvent(target, summary)]);
    deps.log.info('retention applied', {
      dryRun,
      deletedBackups: summary.deletedBackups.length,
      deletedSnapshots: summary.deletedSnapshots.length,
      deletingSnapshots: summary.deletingSnapshots.length,
      deferred,
    });
    return dryRun ? { summary, plan } : { summary };
  };
}

/**
 * Keeps the recovery-point catalog true to what the run does: before any storage is released, the records of the
 * backups it belongs to are marked expired; after the run, an expired record none of whose snapshots is left is
 * removed (one whose snapshots are still being deleted goes in a later run). Only the records `reads` names are
 * read (catalogReadsOfRetention: after a backup, those of what the run deletes).
 */
async function withCatalog(
  deps: ApplyRetentionDependencies,
  target: TargetSpec,
  schedule: DeletionSchedule,
  reads: CatalogReads,
  listedSnapshots: readonly string[],
  run: () => Promise<Outcome>,
): Promise<Outcome> {
  const releasedContents = new Set(schedule.steps.flatMap((step) => (step.verb === 'release' ? [step.name] : [])));
  const records = await recordsToRead(deps.recoveryPoints, target.name, reads);
  const expiredAt = deps.now().toISOString();
  const remainingSnapshots = new Set(listedSnapshots);
  const { expire } = catalogChangesOfRetention({ records, releasedContents, remainingSnapshots });
  for (const backup of expire) await deps.recoveryPoints.expire(target.name, backup, expiredAt);
  const outcome = await run();
  // One record per completed backup, one name per snapshot: sets, not scans of a list per record.
  const expired = new Set(expire);
  for (const name of outcome.deletedSnapshots) remainingSnapshots.delete(name);
  const { remove } = catalogChangesOfRetention({
    records: records.map((record) => (expired.has(record.backup) ? { ...record, expiredAt } : record)),
    releasedContents,
    remainingSnapshots,
  });
  for (const backup of remove) await deps.recoveryPoints.remove(target.name, backup);
  if (expire.length + remove.length > 0) deps.log.info('recovery-point catalog updated', { expired: expire, removed: remove });
  return outcome;
}

/** The records `reads` names: every record of the target in one Query, or one GetItem per backup. */
async function recordsToRead(recoveryPoints: RecoveryPointCatalog, target: string, reads: CatalogReads): Promise<RecoveryPointRecord[]> {
  if (reads.all) return recoveryPoints.recordsOf(target);
  const records: RecoveryPointRecord[] = [];
  for (const backup of reads.backups) {
    const record = await recoveryPoints.recordOf(target, backup);
    if (record) records.push(record);
  }
  return records;
}

/** The decisions of the snapshots this run's schedule deletes without releasing their content first (not ours). */
function deletedUnreleased(plan: RetentionPlan, schedule: DeletionSchedule): SnapshotDecision[] {
  const deleted = schedule.steps.flatMap((step) => (step.verb === 'delete' && step.resource === 'volumesnapshots' ? [step.name] : []));
  const byName = snapshotDecisionsNamed(plan, new Set(deleted));
  const released = new Set(schedule.steps.flatMap((step) => (step.verb === 'release' ? [step.name] : [])));
  return deleted.flatMap((name) => {
    const decision = byName.get(name)!;
    return decision.content !== undefined && released.has(decision.content) ? [] : [decision];
  });
}

/**
 * The plan's decisions on the snapshots of these names (one run's deletions: at most its budget), the last of each
 * name. Searched from the end, where the plan lists the oldest, which a run deletes first, and no further than the
 * last of them: the names of the rest of a large plan are never hashed.
 */
function snapshotDecisionsNamed(plan: RetentionPlan, names: ReadonlySet<string>): Map<string, SnapshotDecision> {
  const found = new Map<string, SnapshotDecision>();
  for (let i = plan.snapshots.length - 1; i >= 0 && found.size < names.size; i -= 1) {
    const decision = plan.snapshots[i]!;
    if (names.has(decision.name) && !found.has(decision.name)) found.set(decision.name, decision);
  }
  return found;
}

/** The bound contents whose own deletionPolicy (copied from the class when they were created) keeps the storage. */
async function retainedContentsOf(kube: KubeResources, snapshots: readonly SnapshotDecision[]): Promise<string[]> {
  const retained: string[] = [];
  for (const { content } of snapshots) {
    if (content === undefined) continue;
    if ((await kube.get('volumesnapshotcontents', '', content))?.spec.deletionPolicy === 'Retain') retained.push(content);
  }
  return retained;
}

function inProgressOnly(schedule: DeletionSchedule): Outcome {
  return {
    deletedBackups: [],
    deletedSnapshots: [],
    deletingBackups: [],
    deletingSnapshots: [],
    stillDeletingBackups: [...schedule.inProgress.backups],
    stillDeletingSnapshots: [...schedule.inProgress.snapshots],
  };
}

/** Our snapshots' contents are kept with Retain while the backup is kept; released, deleting the snapshot frees the storage. */
const RELEASE = { spec: { deletionPolicy: 'Delete' } } as const;

/** Sends the schedule's requests in order; an object still held by finalizers is reported as deleting. */
async function carryOut(kube: KubeResources, namespace: string, target: string, schedule: DeletionSchedule): Promise<Outcome> {
  const outcome = inProgressOnly(schedule);
  const marks = { metadata: { labels: snapshotMarks(target) } };
  for (const step of schedule.steps) {
    if (step.verb === 'mark') {
      await kube.patch(step.resource, namespace, step.name, marks);
      continue;
    }
    if (step.verb === 'release') {
      // A content already gone (404) has nothing left to release.
      await kube.patch(step.resource, '', step.name, RELEASE);
      continue;
    }
    const result = await kube.delete(step.resource, namespace, step.name);
    const isBackup = step.resource === 'backups';
    if (result === 'deleting') (isBackup ? outcome.deletingBackups : outcome.deletingSnapshots).push(step.name);
    else (isBackup ? outcome.deletedBackups : outcome.deletedSnapshots).push(step.name);
  }
  return outcome;
}
