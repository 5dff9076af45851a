import * as z from '../domain/zod-mini';
import { ConflictError } from '../errors';
import type { CreateResult } from '../adapters/kube-resources';
import type { KubeObject } from '../domain/kube-objects';
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
    const where = input.destination ?? { eksCluster: source.eksCluster, namespace: source.namespace };
    const clusterName = manifest.metadata.name;
    deps.log.appendKeys({ restoreRequest: requestId, clusterName });
    const kube = await deps.kube(deps.catalog().connection(where.eksCluster));
    // A restore from the catalog first imports the storage snapshots: each content, then its snapshot.
    for (const content of input.import?.contents ?? []) ownedByRequest(await kube.create('volumesnapshotcontents', '', content), requestId);
    for (const snapshot of input.import?.snapshots ?? [])
      ownedByRequest(await kube.create('volumesnapshots', where.namespace, snapshot), requestId);
    const result = await kube.create('clusters', where.namespace, manifest);
    if (!result.created && !isSameRestoreRequest(result.existing, requestId))
      throw new ConflictError(`Cluster ${where.namespace}/${clusterName} already exists and belongs to another request`);
    const cluster = result.created ? result.object : result.existing;
    const context: RestoreEventContext = {
      ...summary,
      target: source.target,
      eksCluster: where.eksCluster,
      namespace: where.namespace,
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

/** An imported object of that name is this request's (a retried step finds its own), or the restore stops. */
function ownedByRequest(result: CreateResult<KubeObject>, requestId: string): void {
  if (!result.created && !isSameRestoreRequest(result.existing, requestId))
    throw new ConflictError(
      `${result.existing.kind} ${result.existing.metadata.namespace ? `${result.existing.metadata.namespace}/` : ''}${result.existing.metadata.name} already exists and belongs to another request`,
    );
}
