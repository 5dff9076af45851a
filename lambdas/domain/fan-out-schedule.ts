import { createHash } from 'node:crypto';
import * as z from './zod-mini';
import { formatCompactUtc } from './backup-name';
import { cronProblem } from './eventbridge-cron';
import { IsoTimestamp } from './iso-timestamp';

/**
 * The deployment fires one schedule per distinct cron expression and workflow, never one per target: each firing (a
 * tick) starts the fan-out of every target on that expression.
 */

export const FANNED_WORKFLOWS = ['backup', 'retention', 'drill'] as const;
export type FannedWorkflow = (typeof FANNED_WORKFLOWS)[number];

export interface FanOutSchedule {
  workflow: FannedWorkflow;
  expression: string;
  /** `<workflow>-<hash of the expression>`: the schedule's name, stable across deploys. */
  id: string;
}

/** What a schedule's target carries: which expression fired, for which workflow, and the slot's time. */
export const FanOutTickSchema = z.strictObject({
  workflow: z.enum(FANNED_WORKFLOWS),
  schedule: z.string().check(
    z.superRefine((value, ctx) => {
      const problem = cronProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
  ),
  scheduledTime: IsoTimestamp,
});
export type FanOutTick = z.infer<typeof FanOutTickSchema>;

export function fanOutScheduleId(workflow: FannedWorkflow, expression: string): string {
  return `${workflow}-${createHash('sha256').update(expression).digest('hex').slice(0, 8)}`;
}

/** One schedule per workflow and distinct expression, in a stable order. */
export function fanOutSchedules(expressions: Readonly<Record<FannedWorkflow, readonly string[]>>): FanOutSchedule[] {
  return FANNED_WORKFLOWS.flatMap((workflow) =>
    [...new Set(expressions[workflow])].sort().map((expression) => ({ workflow, expression, id: fanOutScheduleId(workflow, expression) })),
  );
}

/** The tick's execution name, `<schedule id>-<YYYYMMDDHHMMSS>`: a second delivery of one firing starts nothing. */
export function tickExecutionName(tick: FanOutTick): string {
  return `${fanOutScheduleId(tick.workflow, tick.schedule)}-${formatCompactUtc(new Date(tick.scheduledTime))}`;
}
