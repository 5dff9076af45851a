import { formatCompactUtc } from './backup-name';
import { DNS_LABEL_MAX } from './kube-names';

/**
 * The name of a Cluster a restore creates. CNPG names the recovery Job `<instance>-snapshot-recovery`, the first
 * instance being `<cluster>-1`, and sets it as the Job pod's hostname, which Kubernetes caps at 63 characters
 * (cloudnative-pg pkg/specs/jobs.go, getJobName and CreatePrimaryJob). A longer name passes CNPG's webhook (it only
 * checks 50 characters and DNS-1035) and then leaves the cluster "Setting up primary" for ever.
 */
export const RECOVERY_JOB_SUFFIX = '-1-snapshot-recovery';

/** The longest name whose every derived name fits: the recovery Job is the longest (43 + 20 = 63). */
export const RESTORED_CLUSTER_NAME_MAX = DNS_LABEL_MAX - RECOVERY_JOB_SUFFIX.length;

/** DNS-1035, as CNPG's webhook requires of a Cluster name (services are named after it): a letter first. */
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Why `name` cannot name a restored cluster, or undefined when it can. */
export function restoredClusterNameProblem(name: string): string | undefined {
  if (name.length > RESTORED_CLUSTER_NAME_MAX)
    return `must be at most ${RESTORED_CLUSTER_NAME_MAX} characters (it has ${name.length}): CNPG names the recovery Job <name>${RECOVERY_JOB_SUFFIX} and uses it as the pod's hostname, which may have at most ${DNS_LABEL_MAX}`;
  if (!DNS_1035_LABEL.test(name))
    return 'must be a DNS-1035 label, as CNPG requires of a Cluster name: a-z, 0-9 and "-", starting with a letter and ending with a letter or digit';
  return undefined;
}

/** `<cluster>-restore-<YYYYMMDDHHMMSS>`, the cluster part cut so that the whole fits. */
export function defaultRestoredClusterName(sourceCluster: string, now: Date): string {
  const suffix = `-restore-${formatCompactUtc(now)}`;
  return `${sourceCluster.slice(0, RESTORED_CLUSTER_NAME_MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
}
