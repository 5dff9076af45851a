import * as z from 'zod';
import type { Cluster, VolumeSnapshot, VolumeSnapshotContent } from './kube-objects';
import { RestoreSummarySchema } from './restore-summary';

const manifestOf = <T>(kind: string) =>
  z.custom<T>((value) => typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === kind, {
    message: `must be a ${kind} manifest`,
  });

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
  /** Where the restored Cluster goes, when not into the source's namespace: a restore from the catalog. */
  destination: z.strictObject({ eksCluster: z.string().min(1), namespace: z.string().min(1) }).optional(),
  /** The catalog's storage snapshots to import into the destination before the Cluster (recovery-point-import.ts). */
  import: z
    .strictObject({
      /** The Region of the storage snapshots: the function's own, where the backup was taken or a copy of it lives. */
      region: z.string().min(1),
      contents: z.array(manifestOf<VolumeSnapshotContent>('VolumeSnapshotContent')).min(1),
      snapshots: z.array(manifestOf<VolumeSnapshot>('VolumeSnapshot')).min(1),
    })
    .optional(),
  backup: z.string().min(1),
  requestId: z.string().min(1),
  timeoutSeconds: z.int().min(60),
  manifest: manifestOf<Cluster>('Cluster'),
  summary: RestoreSummarySchema,
});
export type RestoreWorkflowInput = z.infer<typeof RestoreWorkflowInputSchema>;
