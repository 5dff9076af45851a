import * as z from 'zod';
import { planFanOut, type DueTarget, type FanOutLane } from '../domain/fan-out-plan';
import { FanOutTickSchema, type FannedWorkflow } from '../domain/fan-out-schedule';
import type { TargetSpec } from '../domain/target-spec';
import { parseInput } from '../domain/validation';
import { discoverCatalogTargets, retiredCatalogTargets } from './discover-targets';
import type { WorkflowDependencies } from './workflow-dependencies';

const PlanFanOutEventSchema = z.strictObject({ tick: FanOutTickSchema });

export interface PlanFanOutResult {
  due: number;
  conflicts: string[];
  lanes: FanOutLane[];
}

/** The expression a target's `workflow` runs on; none for a drill that is turned off (an on-demand drill still runs). */
function dueExpression(target: TargetSpec, workflow: FannedWorkflow): string | undefined {
  if (workflow === 'backup') return target.schedule;
  if (workflow === 'retention') return target.retention.schedule;
  return target.drill.enabled ? target.drill.schedule : undefined;
}

/**
 * First step of a tick: the targets due on the tick's expression, explicit and discovered (one list of labelled
 * Clusters per EKS cluster under discovery), dealt into lanes per EKS cluster. Discovery conflicts go into the
 * tick's summary.
 */
export function createPlanFanOut(deps: Pick<WorkflowDependencies, 'catalog' | 'kube' | 'log'>) {
  return async (event: unknown): Promise<PlanFanOutResult> => {
    const { tick } = parseInput(PlanFanOutEventSchema, event, 'fan-out tick');
    const catalog = deps.catalog();
    const discovery = await discoverCatalogTargets(catalog, deps.kube);
    // A sweep also covers the discovered targets of before, until their last backup expires.
    const retired =
      tick.workflow === 'retention' ? await retiredCatalogTargets(catalog, deps.kube, discovery) : { targets: [], conflicts: [] };
    const conflicts = [...discovery.conflicts, ...retired.conflicts];
    const candidates: DueTarget[] = [
      ...catalog.targets.map((spec) => ({ name: spec.name, eksCluster: spec.eksCluster, ref: spec.name, spec })),
      ...[...discovery.targets, ...retired.targets].map(({ spec, ref }) => ({ name: spec.name, eksCluster: spec.eksCluster, ref, spec })),
    ]
      .filter((target) => dueExpression(target.spec, tick.workflow) === tick.schedule)
      .map(({ name, eksCluster, ref }) => ({ name, eksCluster, ref }));
    const lanes = planFanOut({
      targets: candidates,
      workflow: tick.workflow,
      scheduledTime: new Date(tick.scheduledTime),
      concurrencyPerEksCluster: catalog.document.fanOut.concurrencyPerEksCluster,
    });
    deps.log.info('fan-out planned', {
      workflow: tick.workflow,
      schedule: tick.schedule,
      due: candidates.length,
      discovered: discovery.targets.length,
      retired: retired.targets.length,
      conflicts: conflicts.length,
      lanes: lanes.length,
    });
    if (conflicts.length > 0) deps.log.warn('discovery conflicts', { conflicts });
    return { due: candidates.length, conflicts, lanes };
  };
}
