import type { DeploymentConfig } from './deployment-config';
import { renderManifests, type KubernetesManifest } from './kubernetes-manifest';
import { schedulerAdmissionPolicy } from './scheduler-admission-policy';
import { schedulerRbac, standbyRbac } from './scheduler-rbac';

/**
 * What to apply to each EKS cluster of a deployment config (`npm run k8s-manifests`): the RBAC of the scheduler's
 * group for the namespaces of the cluster's targets and of its discovery, and the admission policy that confines
 * that group; on each EKS cluster of the disaster recovery Region, the standby's restore RBAC for its namespaces and
 * the same admission policy for them.
 */
export function clusterManifests(
  config: Pick<DeploymentConfig, 'targets' | 'discovery' | 'disasterRecovery'>,
): Map<string, KubernetesManifest[]> {
  const clusters = [...new Set([...config.targets, ...config.discovery].map((t) => t.eksCluster))].sort();
  const standby = (config.disasterRecovery?.eksClusters ?? []).map(({ name, namespaces }): [string, KubernetesManifest[]] => [
    name,
    [...standbyRbac(namespaces), ...schedulerAdmissionPolicy([], namespaces)],
  ]);
  return new Map<string, KubernetesManifest[]>([
    ...clusters.map((eksCluster) => {
      const targets = config.targets.filter((t) => t.eksCluster === eksCluster);
      const discoveryNamespaces = config.discovery.find((d) => d.eksCluster === eksCluster)?.namespaces ?? [];
      return [eksCluster, [...schedulerRbac(targets, discoveryNamespaces), ...schedulerAdmissionPolicy(targets, discoveryNamespaces)]] as [
        string,
        KubernetesManifest[],
      ];
    }),
    ...standby,
  ]);
}

/** The file to apply to each EKS cluster, by cluster name, saying where it came from. */
export function clusterManifestFiles(
  config: Pick<DeploymentConfig, 'targets' | 'discovery' | 'disasterRecovery'>,
  configPath: string,
): Map<string, string> {
  return new Map(
    [...clusterManifests(config)].map(([eksCluster, manifests]) => {
      const header = [
        `Kubernetes permissions of cnpg-snapshot-scheduler on EKS cluster ${eksCluster}: RBAC and admission policy.`,
        `Generated from ${configPath} by \`npm run k8s-manifests -- -c ${configPath}\`: do not edit, generate again.`,
        `Apply in EKS cluster ${eksCluster} with: kubectl apply -f <this file>`,
      ].join('\n');
      return [eksCluster, renderManifests(header, manifests)] as const;
    }),
  );
}
