import * as z from './zod-mini';
import { DiscoveredTargetRefSchema } from './target-discovery';
import { IsoTimestamp } from './iso-timestamp';
import { TargetNameSchema } from './target-spec';

/** An explicit target's name: how drill inputs name their target (discovered targets are not drilled). */
export const TargetNameReferenceSchema = z.pipe(
  z.string({
    error: (issue) =>
      issue.input === undefined
        ? 'required: the name of a target of this deployment'
        : 'must be the name of a target of this deployment; a workflow input never carries a target spec or its auth',
  }),
  TargetNameSchema,
);

/**
 * How a workflow input refers to a target: an explicit target by its name, a discovered one by its Cluster's place
 * and policy (`{eksCluster, namespace, cluster, policy}`), never by a spec. The spec, and how to reach its Kubernetes
 * API, comes from the deployment (TargetCatalog.resolve), so an input can never point a deployed Lambda at a cluster
 * the deployment does not cover or at a local kubeconfig file.
 */
export const TargetReferenceSchema = z.union([TargetNameReferenceSchema, DiscoveredTargetRefSchema], {
  error: (issue) =>
    issue.input === undefined
      ? 'required: the name of a target of this deployment'
      : 'must be the name of a target of this deployment, or a discovered target as {eksCluster, namespace, cluster, policy}; a workflow input never carries a target spec or its auth',
});

/** What a backup or retention execution starts with: the target's name and, for scheduled runs, the slot's time. */
export const WorkflowInputSchema = z.strictObject({
  target: TargetReferenceSchema,
  scheduledTime: z.optional(IsoTimestamp),
});

/** What a drill execution starts with: an explicit target's name and, for scheduled runs, the slot's time. */
export const DrillWorkflowInputSchema = z.extend(WorkflowInputSchema, { target: TargetNameReferenceSchema });

/** What a retention execution starts with: a backup workflow's input, and `dryRun` to plan without deleting. */
export const RetentionWorkflowInputSchema = z.extend(WorkflowInputSchema, {
  dryRun: z._default(z.boolean(), false),
});
export type RetentionWorkflowInput = z.infer<typeof RetentionWorkflowInputSchema>;

/** Scheduled times may run ahead of the Lambda's clock by this much (EventBridge delivers early at most by seconds). */
export const SCHEDULE_CLOCK_SKEW_MS = 5 * 60_000;
