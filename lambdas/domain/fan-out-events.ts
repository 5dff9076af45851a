import * as z from './zod-mini';
import { FanOutEventType, type SchedulerEvent } from './scheduler-event';
import type { FanOutTick } from './fan-out-schedule';

/** What became of one due target in a tick. */
export const FAN_OUT_OUTCOMES = ['started', 'alreadyStarted', 'failedToStart', 'swept', 'failed'] as const;
export type FanOutOutcome = (typeof FAN_OUT_OUTCOMES)[number];

/**
 * What one lane item ends with: the fan-out definition writes it (lib/fan-out-workflow.ts), ReportFanOut reads it.
 * In-flight state, read leniently: unknown fields are dropped.
 */
export const FanOutItemResultSchema = z.object({ outcome: z.enum(FAN_OUT_OUTCOMES) });
export type FanOutItemResult = z.infer<typeof FanOutItemResultSchema>;

export type FanOutCounts = Record<FanOutOutcome, number>;

export function countOutcomes(lanes: ReadonlyArray<readonly FanOutItemResult[]>): FanOutCounts {
  const counts = Object.fromEntries(FAN_OUT_OUTCOMES.map((outcome) => [outcome, 0])) as FanOutCounts;
  for (const lane of lanes) for (const item of lane) counts[item.outcome] += 1;
  return counts;
}

/** The tick's summary: how many targets were due and what became of them, and the discovery conflicts it skipped. */
export function fanOutCompletedEvent(input: {
  tick: FanOutTick;
  due: number;
  counts: FanOutCounts;
  conflicts: readonly string[];
}): SchedulerEvent {
  const { tick, counts } = input;
  const outcomes =
    tick.workflow === 'retention' ? (['swept', 'failed'] as const) : (['started', 'alreadyStarted', 'failedToStart'] as const);
  return {
    detailType: FanOutEventType.Completed,
    detail: {
      workflow: tick.workflow,
      schedule: tick.schedule,
      scheduledTime: tick.scheduledTime,
      due: input.due,
      ...Object.fromEntries(outcomes.map((outcome) => [outcome, counts[outcome]])),
      conflicts: [...input.conflicts],
    },
  };
}
