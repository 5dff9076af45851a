import {
  BackupEventType,
  CopyEventType,
  DrillEventType,
  RestoreEventType,
  RetentionEventType,
  type SchedulerEvent,
} from './scheduler-event';

/** The workflows whose unexpected ends are reported as `<Workflow> Failed` events. */
export const WORKFLOW_FAILED_EVENT = {
  backup: BackupEventType.Failed,
  retention: RetentionEventType.Failed,
  restore: RestoreEventType.Failed,
  drill: DrillEventType.Failed,
  copy: CopyEventType.Failed,
} as const;
export type WorkflowKind = keyof typeof WORKFLOW_FAILED_EVENT;

/** Step Functions' Catch output: the error name and a Cause that, for Lambda errors, is JSON with errorMessage. */
export interface CaughtError {
  Error: string;
  Cause?: string;
}

export function caughtErrorMessage(error: CaughtError): string {
  if (!error.Cause) return error.Error;
  try {
    const cause = JSON.parse(error.Cause) as { errorMessage?: unknown };
    return typeof cause.errorMessage === 'string' ? cause.errorMessage : error.Cause;
  } catch {
    return error.Cause;
  }
}

/** Builds the failure event from what the workflow knew; the target may be absent when the input itself was invalid. */
export function workflowFailureEvent(
  workflow: WorkflowKind,
  error: CaughtError,
  context: { target?: string; eksCluster?: string; namespace?: string; cluster?: string; execution: string },
): SchedulerEvent {
  return {
    detailType: WORKFLOW_FAILED_EVENT[workflow],
    detail: { ...context, errorName: error.Error, error: caughtErrorMessage(error) },
  };
}
