import * as z from './zod-mini';
import { newestRowTime, type CheckResult } from './drill-verification';
import { DrillEventType, type SchedulerEvent } from './scheduler-event';
import { SchedulerMetric, type MetricPoint } from './scheduler-metrics';
import { IsoTimestamp } from './iso-timestamp';

/** What a drill knows once its Cluster exists; carried from step to step and checked at every step. */
export const DrillContextSchema = z.strictObject({
  target: z.string().check(z.minLength(1)),
  eksCluster: z.string().check(z.minLength(1)),
  namespace: z.string().check(z.minLength(1)),
  sourceCluster: z.string().check(z.minLength(1)),
  clusterName: z.string().check(z.minLength(1)),
  backup: z.string().check(z.minLength(1)),
  backupEndedAt: z.string(),
  image: z.string().check(z.minLength(1)),
  /** The Secret the verification reads its credentials from, by name: its content never leaves the cluster. */
  applicationSecret: z.string().check(z.minLength(1)),
  database: z.string().check(z.minLength(1)),
  createdAt: IsoTimestamp,
  timeoutSeconds: z.int().check(z.gte(60)),
  maxRtoMinutes: z.int().check(z.gte(1)),
});
export type DrillContext = z.infer<typeof DrillContextSchema>;

export const CheckResultSchema = z.strictObject({
  name: z.string(),
  kind: z.enum(['connection', 'check', 'freshness']),
  passed: z.boolean(),
  value: z.optional(z.string()),
  expected: z.optional(z.string()),
  error: z.optional(z.string()),
});

/** How a drill ended: passed (ready within maxRtoMinutes, every check passed), failed, timed out, or ended in an error. */
export const DrillResultSchema = z.strictObject({
  outcome: z.enum(['passed', 'failed', 'timedOut', 'error']),
  reason: z.optional(z.string()),
  readyAt: z.optional(IsoTimestamp),
  rtoSeconds: z.optional(z.int().check(z.nonnegative())),
  checks: z.array(CheckResultSchema),
});
export type DrillResult = z.infer<typeof DrillResultSchema>;

/** What the teardown did: each object the drill created and deleted. */
export interface DrillTeardown {
  clusters: string[];
  jobs: string[];
  persistentVolumeClaims: string[];
}

/** The verdict once the cluster was ready and verified: it passes only within its RTO target and with every check. */
export function verifiedDrillResult(input: {
  readyAt: string;
  rtoSeconds: number;
  maxRtoMinutes: number;
  checks: CheckResult[];
}): DrillResult {
  const failedChecks = input.checks.filter((check) => !check.passed).map((check) => check.name);
  const rtoExceeded = input.rtoSeconds > input.maxRtoMinutes * 60;
  const reasons = [
    ...(rtoExceeded ? [`RTO ${input.rtoSeconds} s exceeds drill.maxRtoMinutes ${input.maxRtoMinutes}`] : []),
    ...(failedChecks.length > 0 ? [`failed: ${failedChecks.join(', ')}`] : []),
  ];
  return {
    outcome: reasons.length === 0 ? 'passed' : 'failed',
    ...(reasons.length > 0 && { reason: reasons.join('; ') }),
    readyAt: input.readyAt,
    rtoSeconds: input.rtoSeconds,
    checks: input.checks,
  };
}

/**
 * The achieved RPO, measured in the data: how old the newest row was when the backup ended (status.stoppedAt), from
 * the freshness query's answer in the restored cluster.
 */
export function achievedRpo(result: DrillResult, backupEndedAt: string): { newestRowAt: string; achievedRpoSeconds: number } | undefined {
  const newest = newestRowTime(result.checks);
  const ended = Date.parse(backupEndedAt);
  if (!newest || !Number.isFinite(ended)) return undefined;
  return { newestRowAt: newest.toISOString(), achievedRpoSeconds: Math.round((ended - newest.getTime()) / 1000) };
}

/** `Drill Completed` or `Drill Failed`, with the recovery time, the achieved RPO, every check and the backup used. */
export function drillOutcomeEvent(input: {
  target: { target: string; eksCluster: string; namespace: string; cluster: string };
  context?: DrillContext;
  result: DrillResult;
  teardown: DrillTeardown;
  executionName: string;
}): SchedulerEvent {
  const { context, result } = input;
  const rpo = context && achievedRpo(result, context.backupEndedAt);
  return {
    detailType: result.outcome === 'passed' ? DrillEventType.Completed : DrillEventType.Failed,
    detail: {
      ...input.target,
      execution: input.executionName,
      outcome: result.outcome,
      ...(result.reason !== undefined && { error: result.reason }),
      ...(context && {
        clusterName: context.clusterName,
        backup: context.backup,
        backupEndedAt: context.backupEndedAt,
        image: context.image,
        createdAt: context.createdAt,
        maxRtoMinutes: context.maxRtoMinutes,
      }),
      ...(result.readyAt !== undefined && { readyAt: result.readyAt }),
      ...(result.rtoSeconds !== undefined && { rtoSeconds: result.rtoSeconds }),
      ...rpo,
      checks: result.checks,
      teardown: input.teardown,
    },
  };
}

export function drillOutcomeMetrics(result: DrillResult, maxRtoMinutes: number | undefined): MetricPoint[] {
  const points: MetricPoint[] = [
    { name: result.outcome === 'passed' ? SchedulerMetric.DrillSucceeded : SchedulerMetric.DrillFailed, value: 1, unit: 'Count' },
  ];
  if (result.rtoSeconds !== undefined) {
    points.push({ name: SchedulerMetric.DrillRtoSeconds, value: result.rtoSeconds, unit: 'Seconds' });
    if (maxRtoMinutes !== undefined && result.rtoSeconds > maxRtoMinutes * 60)
      points.push({ name: SchedulerMetric.DrillRtoExceeded, value: 1, unit: 'Count' });
  }
  return points;
}
