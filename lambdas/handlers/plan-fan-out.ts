import * as z from 'zod';
import { planFanOut, type FanOutLane } from '../domain/fan-out-plan';
import { FanOutTickSchema, type FannedWorkflow } from '../domain/fan-out-schedule';
import type { TargetSpec } from '../domain/target-spec';
import { parseInput } from '../domain/validation';
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

/** First step of a tick: the targets due on the tick's expression, dealt into lanes per EKS cluster. */
export function createPlanFanOut(deps: Pick<WorkflowDependencies, 'catalog' | 'log'>) {
  // Nothing to wait for (the catalog is read from disk): a rejected promise still carries a bad input's error.
  return (event: unknown): Promise<PlanFanOutResult> => Promise.resolve().then(() => plan(event));

  function plan(event: unknown): PlanFanOutResult {
    const { tick } = parseInput(PlanFanOutEventSchema, event, 'fan-out tick');
    const catalog = deps.catalog();
    const due = catalog.targets
      .filter((t) => dueExpression(t, tick.workflow) === tick.schedule)
      .map((t) => ({ name: t.name, eksCluster: t.eksCluster, ref: t.name }));
    const lanes = planFanOut({
      targets: due,
      workflow: tick.workflow,
      scheduledTime: new Date(tick.scheduledTime),
      concurrencyPerEksCluster: catalog.document.fanOut.concurrencyPerEksCluster,
    });
    deps.log.info('fan-out planned', { workflow: tick.workflow, schedule: tick.schedule, due: due.length, lanes: lanes.length });
    return { due: due.length, conflicts: [], lanes };
  }
}
