import * as z from 'zod';
import type { Cluster } from './kube-objects';
import { RestoreSummarySchema } from './restore-summary';

/**
 * The restore workflow's input: everything its steps need, decided once by RequestRestore (how to connect comes from
 * the deployment). CreateRestoreCluster checks it strictly, since anyone allowed to start the workflow can write it.
 */
export const RestoreWorkflowInputSchema = z.strictObject({
  source: z.strictObject({
    target: z.string().min(1),
    eksCluster: z.string().min(1),
    namespace: z.string().min(1),
    cluster: z.string().min(1),
  }),
  backup: z.string().min(1),
  requestId: z.string().min(1),
  timeoutSeconds: z.int().min(60),
  manifest: z.custom<Cluster>((value) => typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'Cluster', {
    message: 'must be a Cluster manifest',
  }),
  summary: RestoreSummarySchema,
});
export type RestoreWorkflowInput = z.infer<typeof RestoreWorkflowInputSchema>;
