import * as z from '../domain/zod-mini';
import { CnpgLabel } from '../domain/cnpg-api';
import { DrillContextSchema, DrillResultSchema, verifiedDrillResult, type DrillContext, type DrillResult } from '../domain/drill-report';
import {
  JOB_NAME_LABEL,
  VERIFICATION_DEADLINE_SECONDS,
  buildVerificationJob,
  decideVerification,
  verificationJobName,
  verificationSteps,
} from '../domain/drill-verification';
import { decideRestoreProgress } from '../domain/restore-progress';
import { SchedulerLabel } from '../domain/scheduler-metadata';
import { parseInput } from '../domain/validation';
import { IsoTimestamp } from '../domain/iso-timestamp';
import { TargetNameReferenceSchema } from '../domain/workflow-input';
import type { WorkflowDependencies } from './workflow-dependencies';

/** How often the verification Job is looked at, and how long past its own deadline the drill waits for it. */
const VERIFICATION_POLL_SECONDS = 10;
const VERIFICATION_GRACE_SECONDS = 120;

export const DrillProgressSchema = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('restoring'), waitSeconds: z.int().check(z.positive()) }),
  z.strictObject({
    state: z.literal('verifying'),
    waitSeconds: z.int().check(z.positive()),
    readyAt: IsoTimestamp,
    rtoSeconds: z.int().check(z.nonnegative()),
    verificationStartedAt: IsoTimestamp,
  }),
  z.strictObject({ state: z.literal('finished'), result: DrillResultSchema }),
]);
export type DrillProgress = z.infer<typeof DrillProgressSchema>;

const CheckDrillEventSchema = z.strictObject({
  target: TargetNameReferenceSchema,
  executionName: z.string().check(z.minLength(1)),
  drill: z.strictObject({ context: DrillContextSchema, progress: DrillProgressSchema }),
});

export interface CheckDrillResult {
  context: DrillContext;
  progress: DrillProgress;
}

/**
 * Follows a drill: the Cluster to ready (as a restore is followed), then the verification Job, created once the
 * cluster is ready, to its end; the drill is finished when either fails or the Job has answered every step.
 */
export function createCheckDrill(deps: Pick<WorkflowDependencies, 'catalog' | 'kube' | 'log' | 'now'>) {
  return async (event: unknown): Promise<CheckDrillResult> => {
    const { executionName, drill, ...input } = parseInput(CheckDrillEventSchema, event, 'check drill input');
    const target = deps.catalog().target(input.target, 'target');
    const { context, progress } = drill;
    deps.log.appendKeys({ target: target.name, execution: executionName, clusterName: context.clusterName, backup: context.backup });
    if (progress.state === 'finished') return { context, progress };
    const kube = await deps.kube(target);
    const now = deps.now();
    const steps = verificationSteps(target.drill);
    const jobName = verificationJobName(context.clusterName);

    if (progress.state === 'restoring') {
      const [cluster, jobs] = await Promise.all([
        kube.get('clusters', context.namespace, context.clusterName),
        kube.list('jobs', context.namespace, { labelSelector: `${CnpgLabel.Cluster}=${context.clusterName}` }),
      ]);
      const restore = decideRestoreProgress({
        cluster,
        jobs,
        createdAt: new Date(context.createdAt),
        now,
        timeoutSeconds: context.timeoutSeconds,
      });
      switch (restore.state) {
        case 'waiting':
          return { context, progress: { state: 'restoring', waitSeconds: restore.waitSeconds } };
        case 'failed':
        case 'timedOut':
          return finished(context, { outcome: restore.state === 'failed' ? 'failed' : 'timedOut', reason: restore.reason, checks: [] });
        case 'ready': {
          await kube.create(
            'jobs',
            context.namespace,
            buildVerificationJob({
              clusterName: context.clusterName,
              namespace: context.namespace,
              target: target.name,
              executionName,
              image: context.image,
              applicationSecret: context.applicationSecret,
              steps,
            }),
          );
          deps.log.info('drill cluster ready; verification started', { rtoSeconds: restore.rtoSeconds });
          return {
            context,
            progress: {
              state: 'verifying',
              waitSeconds: VERIFICATION_POLL_SECONDS,
              readyAt: restore.readyAt,
              rtoSeconds: restore.rtoSeconds,
              verificationStartedAt: now.toISOString(),
            },
          };
        }
      }
    }

    const [job, pods] = await Promise.all([
      kube.get('jobs', context.namespace, jobName),
      kube.list('pods', context.namespace, { labelSelector: `${JOB_NAME_LABEL}=${jobName}` }),
    ]);
    const ours = job?.metadata.labels?.[SchedulerLabel.Drill] === target.name ? job : undefined;
    const verification = decideVerification(ours, pods, steps);
    const verifiedResult = (checks: DrillResult['checks']) =>
      verifiedDrillResult({ readyAt: progress.readyAt, rtoSeconds: progress.rtoSeconds, maxRtoMinutes: context.maxRtoMinutes, checks });
    if (verification.state === 'done') return finished(context, verifiedResult(verification.results));
    const elapsed = (now.getTime() - Date.parse(progress.verificationStartedAt)) / 1000;
    if (elapsed > VERIFICATION_DEADLINE_SECONDS + VERIFICATION_GRACE_SECONDS)
      return finished(context, {
        ...verifiedResult(
          steps.map((step) => ({ name: step.name, kind: step.kind, passed: false, error: 'the verification Job did not end' })),
        ),
        outcome: 'timedOut',
        reason: `the verification Job ${jobName} did not end within ${Math.round(elapsed)} s (its pod may not have been scheduled)`,
      });
    return { context, progress: { ...progress, waitSeconds: VERIFICATION_POLL_SECONDS } };
  };
}

function finished(context: DrillContext, result: DrillResult): CheckDrillResult {
  return { context, progress: { state: 'finished', result } };
}
