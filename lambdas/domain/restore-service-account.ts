import { PreconditionFailedError } from '../errors';
import type { ClusterSpec } from './kube-objects';

/**
 * The ServiceAccount a restored cluster runs under. CNPG runs a cluster's pods, the recovery Job's included, under
 * `spec.serviceAccountName` when set, else under a ServiceAccount it creates with the cluster's own name
 * (api/v1/cluster_funcs.go, GetServiceAccountName; pkg/specs/jobs.go). On EKS the WAL archive is read with that
 * account's IAM identity (IRSA trust policy or Pod Identity association), which names the source's account, not
 * one called after the restored cluster. So a restore that reads the source's archive (pointInTime, replica) runs
 * under the source's account: its own `spec.serviceAccountName`, else the one CNPG made for it, which exists while
 * the source Cluster does (CNPG owns it). `serviceAccountName` and `serviceAccountTemplate` are mutually exclusive
 * (internal/webhook/v1/cluster_webhook.go, validateServiceAccountConfig), and an account named there must exist
 * (internal/controller/cluster_create.go, validateExistingServiceAccount).
 */
export interface ServiceAccountChoice {
  /** The account the restored cluster runs under; undefined: one CNPG creates with the restored cluster's name. */
  name?: string;
  warning?: string;
}

export function chooseServiceAccount(input: {
  spec: ClusterSpec;
  requested: string | undefined;
  readsArchive: 'pointInTime' | 'replica' | undefined;
  sourceName: string;
  sourceExists: boolean;
}): ServiceAccountChoice {
  const { spec, requested, readsArchive, sourceName } = input;
  const useAccount = (name: string): void => {
    spec.serviceAccountName = name;
    delete spec.serviceAccountTemplate;
  };
  if (requested) {
    useAccount(requested);
    return { name: requested };
  }
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '') return { name: spec.serviceAccountName };
  if (!readsArchive) return {};
  if (!input.sourceExists)
    throw new PreconditionFailedError(
      `${readsArchive} reads the source's WAL archive with the IAM identity of the ServiceAccount it runs under, and ServiceAccount ${sourceName}, which CNPG made for Cluster ${sourceName}, went with it: create a ServiceAccount that the archive's IAM role trusts (IRSA: annotation eks.amazonaws.com/role-arn and the role's trust policy naming it; EKS Pod Identity: an association for it) and pass its name as serviceAccountName`,
    );
  useAccount(sourceName);
  return {
    name: sourceName,
    warning: `The restored cluster runs under ServiceAccount ${sourceName}, the source's, so that it can read the source's WAL archive; CNPG deletes that account with Cluster ${sourceName}: give a lasting copy its own account (serviceAccountName) before deleting the source`,
  };
}
