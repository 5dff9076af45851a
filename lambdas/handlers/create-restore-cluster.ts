import * as z from 'zod';
import { ConflictError } from '../errors';
import { restoreStartedEvent, type RestoreEventContext } from '../domain/restore-events';
import { isSameRestoreRequest } from '../domain/restore-manifest';
import { RESTORE_POLL_MIN_SECONDS, type RestoreProgress } from '../domain/restore-progress';
import { RestoreWorkflowInputSchema } from '../domain/restore-workflow-input';
import { parseInput } from '../domain/validation';
import type { WorkflowDependencies } from './workflow-dependencies';

export interface CreateRestoreClusterResult {
  context: RestoreEventContext;
  checks: number;
  timeoutSeconds: number;
  progress: RestoreProgress;
}

/** First step of the restore workflow: creates the new Cluster (a retried request finds its own and follows it). */
export function createCreateRestoreCluster(deps: Pick<WorkflowDependencies, 'catalog' | 'events' | 'kube' | 'log' | 'now'>) {
  return async (event: unknown): Promise<CreateRestoreClusterResult> => {
    const { input } = parseInput(z.strictObject({ input: RestoreWorkflowInputSchema }), event, 'restore workflow input');
    const { source, backup, requestId, manifest, timeoutSeconds, summary } = input;
    const clusterName = manifest.metadata.name;
    deps.log.appendKeys({ restoreRequest: requestId, clusterName });
    const kube = await deps.kube(deps.catalog().connection(source.eksCluster));
    const result = await kube.create('clusters', source.namespace, manifest);
    if (!result.created && !isSameRestoreRequest(result.existing, requestId))
      throw new ConflictError(`Cluster ${source.namespace}/${clusterName} already exists and belongs to another request`);
    const cluster = result.created ? result.object : result.existing;
    const context: RestoreEventContext = {
      ...summary,
      target: source.target,
      eksCluster: source.eksCluster,
      namespace: source.namespace,
      sourceCluster: source.cluster,
      clusterName,
      backup,
      requestId,
      createdAt: cluster.metadata.creationTimestamp ?? deps.now().toISOString(),
    };
    if (result.created) await deps.events.publish([restoreStartedEvent(context)]);
    return {
      context,
      checks: 0,
      timeoutSeconds,
      progress: { state: 'waiting', phase: cluster.status?.phase ?? '', reason: 'created', waitSeconds: RESTORE_POLL_MIN_SECONDS },
    };
  };
}
