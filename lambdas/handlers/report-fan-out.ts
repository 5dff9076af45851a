import * as z from '../domain/zod-mini';
import { countOutcomes, fanOutCompletedEvent, FanOutItemResultSchema, type FanOutCounts } from '../domain/fan-out-events';
import { FanOutTickSchema } from '../domain/fan-out-schedule';
import { parseInput } from '../domain/validation';
import type { WorkflowDependencies } from './workflow-dependencies';

/** In-flight state of the tick (its own input and the lanes' results): read leniently, unknown fields ignored. */
const ReportFanOutEventSchema = z.object({
  tick: FanOutTickSchema,
  due: z.int().check(z.nonnegative()),
  conflicts: z.array(z.string()),
  lanes: z.array(z.array(FanOutItemResultSchema)),
});

/** Last step of a tick: publishes `Fan-out Completed` with what became of every due target. */
export function createReportFanOut(deps: Pick<WorkflowDependencies, 'events' | 'log'>) {
  return async (event: unknown): Promise<FanOutCounts & { due: number }> => {
    const { tick, due, conflicts, lanes } = parseInput(ReportFanOutEventSchema, event, 'fan-out report');
    const counts = countOutcomes(lanes);
    await deps.events.publish([fanOutCompletedEvent({ tick, due, counts, conflicts })]);
    deps.log.info('fan-out completed', { workflow: tick.workflow, schedule: tick.schedule, due, ...counts });
    return { due, ...counts };
  };
}
