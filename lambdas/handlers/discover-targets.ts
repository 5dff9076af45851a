import type { KubeResourcesFactory } from '../adapters/kube-resources';
import { NAMESPACE_ALL } from '../adapters/kube-resources';
import { KubeLabel } from '../domain/cnpg-api';
import { MANAGER_NAME, SchedulerLabel } from '../domain/scheduler-metadata';
import type { TargetCatalog } from '../domain/target-catalog';
import type { TargetSpec } from '../domain/target-spec';
import {
  discoverTargets,
  retiredTargets,
  type LabelledCluster,
  type PolicyLabelledBackup,
  type TargetDiscovery,
} from '../domain/target-discovery';

/**
 * The discovered targets now: one LIST of CNPG Clusters per EKS cluster under discovery, across its namespaces, that
 * the API server filters by the policy label (a label selector `cnpg-snapshot-scheduler/policy`: only labelled
 * Clusters come back), however many databases the EKS cluster runs.
 */
export async function discoverCatalogTargets(catalog: TargetCatalog, kube: KubeResourcesFactory): Promise<TargetDiscovery> {
  const found = await Promise.all(
    catalog.discovery.map(async ({ eksCluster }): Promise<LabelledCluster[]> => {
      const resources = await kube(catalog.connection(eksCluster));
      const clusters = await resources.list('clusters', NAMESPACE_ALL, { labelSelector: SchedulerLabel.Policy });
      return clusters.map((cluster) => ({
        eksCluster,
        namespace: cluster.metadata.namespace!,
        cluster: cluster.metadata.name,
        policy: cluster.metadata.labels?.[SchedulerLabel.Policy] ?? '',
      }));
    }),
  );
  return discoverTargets({ explicit: catalog.targets, policies: catalog.policies, discovery: catalog.discovery, clusters: found.flat() });
}

/** What the RPO audit covers: every explicit target and every Cluster discovered now. */
export async function auditedTargets(catalog: TargetCatalog, kube: KubeResourcesFactory): Promise<TargetSpec[]> {
  const discovered = await discoverCatalogTargets(catalog, kube);
  return [...catalog.targets, ...discovered.targets.map((target) => target.spec)];
}

/**
 * The discovered targets of before that still have Backups of ours (target-discovery.ts retiredTargets): one LIST of
 * our policy-labelled Backups per EKS cluster under discovery, across its namespaces.
 */
export async function retiredCatalogTargets(
  catalog: TargetCatalog,
  kube: KubeResourcesFactory,
  current: TargetDiscovery,
): Promise<TargetDiscovery> {
  const found = await Promise.all(
    catalog.discovery.map(async ({ eksCluster }): Promise<PolicyLabelledBackup[]> => {
      const resources = await kube(catalog.connection(eksCluster));
      const backups = await resources.list('backups', NAMESPACE_ALL, {
        labelSelector: `${KubeLabel.ManagedBy}=${MANAGER_NAME},${SchedulerLabel.Policy}`,
      });
      return backups.map((backup) => ({
        eksCluster,
        namespace: backup.metadata.namespace!,
        cluster: backup.spec.cluster.name,
        policy: backup.metadata.labels?.[SchedulerLabel.Policy] ?? '',
        createdAt: backup.metadata.creationTimestamp ?? '',
      }));
    }),
  );
  return retiredTargets({
    current,
    explicit: catalog.targets,
    policies: catalog.policies,
    discovery: catalog.discovery,
    backups: found.flat(),
  });
}
