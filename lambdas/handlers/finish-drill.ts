import * as z from '../domain/zod-mini';
import type { KubeResources } from '../adapters/kube-resources';
import { CnpgLabel } from '../domain/cnpg-api';
import { drillSelector, isDrillClusterOf, isDrillClusterVolume } from '../domain/drill-cluster';
import { DrillContextSchema, drillOutcomeEvent, drillOutcomeMetrics, type DrillResult, type DrillTeardown } from '../domain/drill-report';
import { verificationJobName } from '../domain/drill-verification';
import { SchedulerAnnotation, SchedulerLabel, isMarkedFor } from '../domain/scheduler-metadata';
import { caughtErrorMessage } from '../domain/workflow-failure';
import { parseInput } from '../domain/validation';
import { DrillWorkflowInputSchema } from '../domain/workflow-input';
import { DrillProgressSchema } from './check-drill';
import type { WorkflowDependencies } from './workflow-dependencies';

const FinishDrillEventSchema = z.strictObject({
  input: DrillWorkflowInputSchema,
  executionName: z.string().check(z.minLength(1)),
  /** What the drill knew: nothing when its first step failed. */
  drill: z.union([z.strictObject({}), z.strictObject({ context: DrillContextSchema, progress: DrillProgressSchema })]),
  /** Step Functions' Catch output, when a step failed. */
  error: z.optional(z.strictObject({ Error: z.string(), Cause: z.optional(z.string()) })),
});

export interface FinishDrillResult {
  state: 'passed' | 'failed';
  teardown: DrillTeardown;
}

/**
 * Last step of every drill, also after a failure or a timeout: deletes what this drill created (the verification
 * Job, the Cluster and its volumes, each only if it carries this drill's marks), then reports `Drill Completed` or
 * `Drill Failed` with its metrics.
 */
export function createFinishDrill(deps: WorkflowDependencies) {
  return async (event: unknown): Promise<FinishDrillResult> => {
    const { input, executionName, drill, error } = parseInput(FinishDrillEventSchema, event, 'finish drill input');
    const target = deps.catalog().target(input.target, 'input.target');
    const context = 'context' in drill ? drill.context : undefined;
    deps.log.appendKeys({ target: target.name, execution: executionName, ...(context && { clusterName: context.clusterName }) });
    const kube = await deps.kube(target);
    const teardown = await tearDown(kube, {
      target: target.name,
      namespace: target.namespace,
      executionName,
      clusterName: context?.clusterName,
    });
    const result: DrillResult =
      error !== undefined
        ? { outcome: 'error', reason: `${error.Error}: ${caughtErrorMessage(error)}`, checks: [] }
        : 'progress' in drill && drill.progress.state === 'finished'
          ? drill.progress.result
          : { outcome: 'error', reason: 'the drill ended before it was finished', checks: [] };
    deps.metrics.record(drillOutcomeMetrics(result, context?.maxRtoMinutes), target.name);
    await deps.events.publish([
      drillOutcomeEvent({
        target: { target: target.name, eksCluster: target.eksCluster, namespace: target.namespace, cluster: target.cluster },
        ...(context && { context }),
        result,
        teardown,
        executionName,
      }),
    ]);
    deps.log.info('drill finished', { outcome: result.outcome, teardown });
    return { state: result.outcome === 'passed' ? 'passed' : 'failed', teardown };
  };
}

/**
 * The drill's Clusters (found by the drill's labels, kept only with this execution's annotation and, when known, the
 * name it gave), their verification Jobs and their volumes (by CNPG's cluster label and volume names).
 */
async function tearDown(
  kube: KubeResources,
  drill: { target: string; namespace: string; executionName: string; clusterName: string | undefined },
): Promise<DrillTeardown> {
  const teardown: DrillTeardown = { clusters: [], jobs: [], persistentVolumeClaims: [] };
  const clusters = (await kube.list('clusters', drill.namespace, { labelSelector: drillSelector(drill.target) })).filter((cluster) =>
    isDrillClusterOf(cluster, drill.clusterName === undefined ? drill : { ...drill, clusterName: drill.clusterName }),
  );
  const names = new Set(clusters.map((cluster) => cluster.metadata.name));
  if (drill.clusterName !== undefined) names.add(drill.clusterName);
  for (const name of names) {
    const jobName = verificationJobName(name);
    const job = await kube.get('jobs', drill.namespace, jobName);
    if (
      job &&
      isMarkedFor(job.metadata.labels, drill.target) &&
      job.metadata.labels?.[SchedulerLabel.Drill] === drill.target &&
      job.metadata.annotations?.[SchedulerAnnotation.Execution] === drill.executionName
    ) {
      await kube.delete('jobs', drill.namespace, jobName, { propagationPolicy: 'Background' });
      teardown.jobs.push(jobName);
    }
    // Listed before the Cluster goes: the garbage collector may take its volumes with it, which counts as deleted.
    const claims = (await kube.list('persistentvolumeclaims', drill.namespace, { labelSelector: `${CnpgLabel.Cluster}=${name}` })).filter(
      (claim) => isDrillClusterVolume(claim, name),
    );
    if (clusters.some((c) => c.metadata.name === name)) {
      await kube.delete('clusters', drill.namespace, name);
      teardown.clusters.push(name);
    }
    for (const claim of claims) {
      await kube.delete('persistentvolumeclaims', drill.namespace, claim.metadata.name);
      teardown.persistentVolumeClaims.push(claim.metadata.name);
    }
  }
  return teardown;
}
