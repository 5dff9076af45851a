import * as z from '../domain/zod-mini';
import { CnpgLabel } from '../domain/cnpg-api';
import { RestoreEventContextSchema, restoreOutcomeEvent, restoreOutcomeMetrics, type RestoreEventContext } from '../domain/restore-events';
import { decideRestoreProgress, type RestoreProgress } from '../domain/restore-progress';
import { parseInput } from '../domain/validation';
import type { WorkflowDependencies } from './workflow-dependencies';

const CheckRestoreEventSchema = z.strictObject({
  context: RestoreEventContextSchema,
  checks: z.int().check(z.nonnegative()),
  timeoutSeconds: z.int().check(z.gte(60)),
});

export interface CheckRestoreResult {
  context: RestoreEventContext;
  checks: number;
  timeoutSeconds: number;
  progress: RestoreProgress;
}

/** Reads the new Cluster and its recovery Job, decides the next wait or the end, and announces the end. */
export function createCheckRestore(deps: WorkflowDependencies) {
  return async (event: unknown): Promise<CheckRestoreResult> => {
    const { context, checks, timeoutSeconds } = parseInput(CheckRestoreEventSchema, event, 'check restore input');
    deps.log.appendKeys({ restoreRequest: context.requestId, clusterName: context.clusterName });
    const kube = await deps.kube(deps.catalog().connection(context.eksCluster));
    const [cluster, jobs] = await Promise.all([
      kube.get('clusters', context.namespace, context.clusterName),
      kube.list('jobs', context.namespace, { labelSelector: `${CnpgLabel.Cluster}=${context.clusterName}` }),
    ]);
    const now = deps.now();
    const progress = decideRestoreProgress({
      cluster,
      jobs,
      createdAt: new Date(context.createdAt),
      now,
      timeoutSeconds,
    });
    const outcome = restoreOutcomeEvent(context, progress, now);
    if (outcome) {
      deps.metrics.record(restoreOutcomeMetrics(progress), context.target);
      await deps.events.publish([outcome]);
      deps.log.info('restore finished', { state: progress.state });
    }
    return { context, checks: checks + 1, timeoutSeconds, progress };
  };
}
