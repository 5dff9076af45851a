import * as z from '../domain/zod-mini';
import { SchedulerMetric } from '../domain/scheduler-metrics';
import type { TargetSpec } from '../domain/target-spec';
import type { TargetCatalog, TargetRef } from '../domain/target-catalog';
import { DiscoveredTargetRefSchema } from '../domain/target-discovery';
import { parseInput } from '../domain/validation';

import { WORKFLOW_FAILED_EVENT, workflowFailureEvent, type WorkflowKind } from '../domain/workflow-failure';
import type { WorkflowDependencies } from './workflow-dependencies';

const workflowKinds = Object.keys(WORKFLOW_FAILED_EVENT) as [WorkflowKind, ...WorkflowKind[]];

const ReportFailureEventSchema = z.strictObject({
  workflow: z.enum(workflowKinds),
  execution: z.string().check(z.minLength(1)),
  error: z.object({ Error: z.string(), Cause: z.optional(z.string()) }),
  // Whatever the workflow was started with: read leniently, since a malformed input is one reason to be here.
  input: z.unknown(),
});

const NamedTarget = z.object({ target: z.union([z.string(), DiscoveredTargetRefSchema]) });

/** Catch-all end of every workflow: publishes `<Workflow> Failed` so no failure goes unannounced. */
export function createReportWorkflowFailure(deps: Pick<WorkflowDependencies, 'catalog' | 'events' | 'metrics' | 'log'>) {
  return async (event: unknown): Promise<{ reported: string }> => {
    const { workflow, execution, error, input } = parseInput(ReportFailureEventSchema, event, 'failure report');
    const ref = NamedTarget.safeParse(input).data?.target;
    const known = ref === undefined ? undefined : knownTarget(deps.catalog(), ref);
    const target: Partial<Pick<TargetSpec, 'name' | 'eksCluster' | 'namespace' | 'cluster'>> | undefined =
      known ?? (typeof ref === 'string' ? { name: ref } : ref);
    const failure = workflowFailureEvent(workflow, error, {
      execution,
      ...(target?.name && { target: target.name }),
      ...(target?.eksCluster && { eksCluster: target.eksCluster }),
      ...(target?.namespace && { namespace: target.namespace }),
      ...(target?.cluster && { cluster: target.cluster }),
    });
    deps.log.appendKeys({ execution, ...(target?.name && { target: target.name }) });
    deps.log.warn('workflow failed', { workflow, errorName: error.Error });
    // The failure always counts; only a target of the deployment is named on the metric line.
    deps.metrics.record([{ name: SchedulerMetric.WorkflowFailed, value: 1, unit: 'Count' }], known?.name);
    await deps.events.publish([failure]);
    return { reported: failure.detailType };
  };
}

/** The target a failed workflow was started for, when the deployment has it; a bad reference is one reason to fail. */
function knownTarget(catalog: TargetCatalog, ref: TargetRef): TargetSpec | undefined {
  if (typeof ref === 'string') return catalog.find(ref);
  try {
    return catalog.resolve(ref);
  } catch {
    return undefined;
  }
}
