import { KubeLabel } from './cnpg-api';
import type { ContainerTerminated, Job, Pod } from './kube-objects';
import { MANAGER_NAME, SchedulerAnnotation, SchedulerLabel } from './scheduler-metadata';
import type { DrillPolicy } from './target-spec';

/**
 * The verification of a restored drill cluster: a Kubernetes Job in its namespace, one pod, one container per step,
 * each running `psql` of the cluster's own image against the cluster's `-rw` service with the credentials of its
 * application Secret (environment variables from the Secret: the password never leaves the cluster). Each container
 * writes its query's output to its termination message (`psql -o /dev/termination-log`), and on an error its log's
 * tail (`terminationMessagePolicy: FallbackToLogsOnError`), which the drill reads back from the pod's status.
 */

export const VERIFICATION_JOB_SUFFIX = '-verify';
/** Kubernetes' default terminationMessagePath (Kubernetes docs, "Determine the Reason for Pod Failure"). */
const TERMINATION_LOG = '/dev/termination-log';
/** Set on every pod of a Job by the Job controller since Kubernetes 1.27 (Kubernetes docs, Jobs, "Job labels"). */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
/** How long the pod may run before the Job controller stops it (spec.activeDeadlineSeconds). */
export const VERIFICATION_DEADLINE_SECONDS = 300;
/** CNPG's application Secret keys (docs/src/applications.md, "Secrets"). */
const SECRET_KEYS = { PGHOST: 'host', PGPORT: 'port', PGDATABASE: 'dbname', PGUSER: 'username', PGPASSWORD: 'password' } as const;

export type VerificationStepKind = 'connection' | 'check' | 'freshness';

export interface VerificationStep {
  container: string;
  kind: VerificationStepKind;
  name: string;
  sql: string;
  expected?: string;
}

export interface CheckResult {
  name: string;
  kind: VerificationStepKind;
  passed: boolean;
  /** What psql printed, trimmed (at most 500 characters). */
  value?: string;
  expected?: string;
  error?: string;
}

/** The steps of a drill's verification: `SELECT 1`, the target's checks, and its freshness query (as epoch seconds). */
export function verificationSteps(policy: Pick<DrillPolicy, 'checks' | 'freshnessQuery'>): VerificationStep[] {
  return [
    { container: 'connect', kind: 'connection', name: 'select 1', sql: 'select 1', expected: '1' },
    ...policy.checks.map((check) => ({
      container: `check-${check.name}`,
      kind: 'check' as const,
      name: check.name,
      sql: check.sql,
      expected: check.expected,
    })),
    ...(policy.freshnessQuery === undefined
      ? []
      : [
          {
            container: 'freshness',
            kind: 'freshness' as const,
            name: 'freshness',
            sql: `select floor(extract(epoch from (${policy.freshnessQuery})))::bigint`,
          },
        ]),
  ];
}

export function verificationJobName(clusterName: string): string {
  return `${clusterName}${VERIFICATION_JOB_SUFFIX}`;
}

export function buildVerificationJob(input: {
  clusterName: string;
  namespace: string;
  target: string;
  executionName: string;
  image: string;
  applicationSecret: string;
  steps: readonly VerificationStep[];
}): Job {
  const labels = { [KubeLabel.ManagedBy]: MANAGER_NAME, [SchedulerLabel.Target]: input.target, [SchedulerLabel.Drill]: input.target };
  // The admission policy checks that a verification Job reads only the application Secret of the Cluster it names.
  const jobLabels = { ...labels, [SchedulerLabel.DrillCluster]: input.clusterName };
  const env = [
    ...Object.entries(SECRET_KEYS).map(([name, key]) => ({ name, valueFrom: { secretKeyRef: { name: input.applicationSecret, key } } })),
    { name: 'PGCONNECT_TIMEOUT', value: '10' },
    { name: 'PGAPPNAME', value: 'cnpg-snapshot-scheduler-drill' },
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: verificationJobName(input.clusterName),
      namespace: input.namespace,
      labels: jobLabels,
      annotations: { [SchedulerAnnotation.Execution]: input.executionName },
    },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: VERIFICATION_DEADLINE_SECONDS,
      // A safety net only: the drill deletes the Job when it ends.
      ttlSecondsAfterFinished: 86_400,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: input.steps.map((step) => ({
            name: step.container,
            image: input.image,
            command: ['psql', '-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-o', TERMINATION_LOG, '-c', step.sql],
            env,
            terminationMessagePolicy: 'FallbackToLogsOnError',
            resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '64Mi' } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          })),
        },
      },
    },
  };
}

export type VerificationProgress = { state: 'running' } | { state: 'done'; results: CheckResult[] };

const MAX_VALUE = 500;
const clip = (text: string) => (text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text);

/**
 * Reads the Job and its pod: running until the Job has a Complete or Failed condition (or its pod a terminal phase),
 * then each step's result from its container's termination: exit code 0 and the expected output, or the error.
 */
export function decideVerification(job: Job | undefined, pods: readonly Pod[], steps: readonly VerificationStep[]): VerificationProgress {
  const ended = job?.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  const pod = pods.find((p) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') ?? pods[0];
  const podEnded = pod?.status?.phase === 'Succeeded' || pod?.status?.phase === 'Failed';
  if (!job) return { state: 'done', results: steps.map((step) => notRun(step, 'the verification Job is gone')) };
  if (!ended && !podEnded) return { state: 'running' };
  const why = ended?.type === 'Failed' ? `the Job failed${ended.reason ? ` (${ended.reason})` : ''}` : 'the pod ended';
  return {
    state: 'done',
    results: steps.map((step) => {
      const terminated = pod?.status?.containerStatuses?.find((status) => status.name === step.container)?.state?.terminated;
      return terminated ? resultOf(step, terminated) : notRun(step, `${why} before this step finished`);
    }),
  };
}

function resultOf(step: VerificationStep, terminated: ContainerTerminated): CheckResult {
  const output = (terminated.message ?? '').trim();
  if (terminated.exitCode !== 0)
    return { name: step.name, kind: step.kind, passed: false, error: clip(output || `psql exited with ${terminated.exitCode}`) };
  if (step.kind === 'freshness') {
    const passed = /^-?\d+$/.test(output);
    return {
      name: step.name,
      kind: step.kind,
      passed,
      value: clip(output),
      ...(!passed && { error: 'the freshness query returned no time (an empty table, or not a timestamp)' }),
    };
  }
  const passed = output === step.expected;
  return {
    name: step.name,
    kind: step.kind,
    passed,
    value: clip(output),
    ...(step.expected !== undefined && { expected: step.expected }),
  };
}

function notRun(step: VerificationStep, why: string): CheckResult {
  return { name: step.name, kind: step.kind, passed: false, error: why };
}

/** The newest row's time from the freshness step (epoch seconds), if it answered. */
export function newestRowTime(results: readonly CheckResult[]): Date | undefined {
  const freshness = results.find((result) => result.kind === 'freshness' && result.passed);
  return freshness?.value === undefined ? undefined : new Date(Number(freshness.value) * 1000);
}
