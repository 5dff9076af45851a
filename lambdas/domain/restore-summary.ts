import * as z from './zod-mini';
import type { Backup } from './kube-objects';
import { applicationSecretName } from './restore-application-database';
import type { RestorePlan } from './restore-manifest';

/**
 * What the operator needs to know about a restore, in the request's answer and in every restore event: what is
 * created from what, where the application connects, whether WAL is replayed after the snapshots, and the warnings.
 * The restore workflow carries it from step to step and checks it at every step.
 */
export const RestoreSummarySchema = z.strictObject({
  clusterName: z.string().check(z.minLength(1)),
  namespace: z.string().check(z.minLength(1)),
  backup: z.string().check(z.minLength(1)),
  /** When the backup ended (status.stoppedAt): the restored data is that recent, or more with WAL replay. */
  backupEndedAt: z.string(),
  /** The Secret CNPG creates with the application owner's credentials: what applications connect with. */
  applicationSecret: z.string().check(z.minLength(1)),
  database: z.string().check(z.minLength(1)),
  owner: z.string().check(z.minLength(1)),
  /** `none`: the backup's data; `pointInTime`: WAL replayed from the source's archive to the target; `replica`: for ever. */
  walReplay: z.enum(['none', 'pointInTime', 'replica']),
  specFrom: z.enum(['cluster', 'backup']),
  image: z.string().check(z.minLength(1)),
  /** Set when the restored cluster runs under an account other than the one CNPG makes for it. */
  serviceAccountName: z.optional(z.string().check(z.minLength(1))),
  warnings: z.array(z.string()),
});

export type RestoreSummary = z.infer<typeof RestoreSummarySchema>;

export function restoreSummary(plan: RestorePlan, backup: Backup, clusterName = plan.manifest.metadata.name): RestoreSummary {
  return {
    clusterName,
    namespace: plan.manifest.metadata.namespace!,
    backup: backup.metadata.name,
    backupEndedAt: backup.status?.stoppedAt ?? '',
    applicationSecret: applicationSecretName(clusterName),
    database: plan.application.database,
    owner: plan.application.owner,
    walReplay: plan.walReplay,
    specFrom: plan.specFrom,
    image: plan.image,
    ...(plan.serviceAccountName !== undefined && { serviceAccountName: plan.serviceAccountName }),
    warnings: plan.warnings,
  };
}
