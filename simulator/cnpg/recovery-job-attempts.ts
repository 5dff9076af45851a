/**
 * The pods of a bootstrap Job, one after another, as the Kubernetes Job controller runs them: a failed pod is
 * replaced after a back-off of 10 s, doubled after each failure and capped at 6 minutes, until the Job has had
 * more failed pods than `backoffLimit` (6 when unset, as in CNPG's recovery Job: pkg/specs/jobs.go sets none); then
 * the Job fails with condition Failed, reason BackoffLimitExceeded (Kubernetes docs, Jobs, "Pod backoff failure
 * policy"; kubernetes pkg/controller/job/job_controller.go, exceedsBackoffLimit).
 */
export const DEFAULT_BACKOFF_LIMIT = 6;
const FIRST_BACKOFF_MS = 10_000;
const MAX_BACKOFF_MS = 360_000;

export interface JobAttempts {
  /** Pods failed by `now`. */
  failed: number;
  /** When the Job failed (more failed pods than the limit), or undefined. */
  failedAt?: number;
  /** When the pod that succeeds completes (possibly after `now`), or undefined while a failing pod still runs. */
  succeedsAt?: number;
}

/**
 * `failingPods` pods fail, each `failAfterMs` after it starts (Infinity: every pod); the next one runs
 * `runMs` and succeeds. Times are absolute, from the first pod's start.
 */
export function jobAttempts(input: {
  startAt: number;
  failingPods: number;
  failAfterMs: number;
  runMs: number;
  backoffLimit: number;
  now: number;
}): JobAttempts {
  let start = input.startAt;
  let failed = 0;
  for (let pod = 0; ; pod += 1) {
    if (pod >= input.failingPods) return { failed, succeedsAt: start + input.runMs };
    const failsAt = start + input.failAfterMs;
    if (failsAt > input.now) return { failed };
    failed += 1;
    if (failed > input.backoffLimit) return { failed, failedAt: failsAt };
    start = failsAt + Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** pod);
  }
}
