import * as z from './zod-mini';
import type { Cluster, VolumeSnapshot, VolumeSnapshotContent } from './kube-objects';
import { RestoreSummarySchema } from './restore-summary';

const nonEmpty = z.string().check(z.minLength(1));

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
    target: nonEmpty,
    eksCluster: nonEmpty,
    namespace: nonEmpty,
    cluster: nonEmpty,
  }),
  /** Where the restored Cluster goes, when not into the source's namespace: a restore from the catalog. */
  destination: z.optional(z.strictObject({ eksCluster: nonEmpty, namespace: nonEmpty })),
  /** The catalog's storage snapshots to import into the destination before the Cluster (recovery-point-import.ts). */
  import: z.optional(
    z.strictObject({
      /** The Region of the storage snapshots: the function's own, where the backup was taken or a copy of it lives. */
      region: nonEmpty,
      contents: z.array(manifestOf<VolumeSnapshotContent>('VolumeSnapshotContent')).check(z.minLength(1)),
      snapshots: z.array(manifestOf<VolumeSnapshot>('VolumeSnapshot')).check(z.minLength(1)),
    }),
  ),
  backup: nonEmpty,
  requestId: nonEmpty,
  timeoutSeconds: z.int().check(z.gte(60)),
  manifest: manifestOf<Cluster>('Cluster'),
  summary: RestoreSummarySchema,
});
export type RestoreWorkflowInput = z.infer<typeof RestoreWorkflowInputSchema>;
