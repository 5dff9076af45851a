import * as z from './zod-mini';
import { discoveredTargetName, type ClusterCoordinates } from './discovered-target-name';
import { SchedulerLabel } from './scheduler-metadata';
import { DISCOVERED_TARGET_DRILL, type Discovery, type TargetPolicy } from './target-policy';
import { PolicyNameSchema } from './target-policy';
import { TargetSpecSchema, type TargetSpec } from './target-spec';

/**
 * How a workflow input names a discovered target: where its Cluster is and the policy it was found under, never its
 * spec. The handlers rebuild the spec from the deployment's policy (target-catalog.ts).
 */
export const DiscoveredTargetRefSchema = z.strictObject({
  eksCluster: TargetSpecSchema.shape.eksCluster,
  namespace: TargetSpecSchema.shape.namespace,
  cluster: TargetSpecSchema.shape.cluster,
  policy: PolicyNameSchema,
});
export type DiscoveredTargetRef = z.infer<typeof DiscoveredTargetRefSchema>;

/** A CNPG Cluster that a discovery LIST returned, with the value of its policy label. */
export interface LabelledCluster extends ClusterCoordinates {
  policy: string;
}

export interface DiscoveredTarget {
  spec: TargetSpec;
  ref: DiscoveredTargetRef;
}

export interface TargetDiscovery {
  /** Labelled Clusters that are targets now, in name order. */
  targets: DiscoveredTarget[];
  /** Labelled Clusters that are not, each with the reason: reported, never guessed. */
  conflicts: string[];
}

const sameCluster = (a: ClusterCoordinates, b: ClusterCoordinates) =>
  a.eksCluster === b.eksCluster && a.namespace === b.namespace && a.cluster === b.cluster;

/** The spec of a discovered target: its policy's fields, its Cluster's place, and its EKS cluster's auth. */
export function discoveredTargetSpec(ref: DiscoveredTargetRef, policy: TargetPolicy, discovery: Pick<Discovery, 'auth'>): TargetSpec {
  return {
    ...policy,
    drill: DISCOVERED_TARGET_DRILL,
    name: discoveredTargetName(ref),
    eksCluster: ref.eksCluster,
    namespace: ref.namespace,
    cluster: ref.cluster,
    auth: discovery.auth,
  };
}

/**
 * The targets that the labelled Clusters make. A Cluster an explicit target names stays that target (explicit wins,
 * silently: it is the documented rule). Conflicts, reported and not scheduled: a label naming no policy, a Cluster in
 * a namespace discovery does not cover, and a derived name that an explicit target or another Cluster already has.
 */
export function discoverTargets(input: {
  explicit: readonly TargetSpec[];
  policies: Readonly<Record<string, TargetPolicy>>;
  discovery: readonly Discovery[];
  clusters: readonly LabelledCluster[];
}): TargetDiscovery {
  const conflicts: string[] = [];
  const candidates: DiscoveredTarget[] = [];
  for (const found of input.clusters) {
    const where = `${found.eksCluster}/${found.namespace}/${found.cluster}`;
    if (input.explicit.some((target) => sameCluster(target, found))) continue;
    const discovery = input.discovery.find((d) => d.eksCluster === found.eksCluster);
    const policy = Object.hasOwn(input.policies, found.policy) ? input.policies[found.policy] : undefined;
    if (!discovery) conflicts.push(`${where}: EKS cluster ${found.eksCluster} is not under discovery`);
    else if (!discovery.namespaces.includes(found.namespace))
      conflicts.push(
        `${where}: namespace ${found.namespace} is not one discovery covers on ${found.eksCluster} (${discovery.namespaces.join(', ')})`,
      );
    else if (!policy) conflicts.push(`${where}: its policy label names "${found.policy}", which is no policy of this deployment`);
    else {
      const ref = { eksCluster: found.eksCluster, namespace: found.namespace, cluster: found.cluster, policy: found.policy };
      candidates.push({ ref, spec: discoveredTargetSpec(ref, policy, discovery) });
    }
  }
  const explicitNames = new Set(input.explicit.map((target) => target.name));
  const count = new Map<string, number>();
  for (const candidate of candidates) count.set(candidate.spec.name, (count.get(candidate.spec.name) ?? 0) + 1);
  const targets: DiscoveredTarget[] = [];
  for (const candidate of candidates) {
    const { name } = candidate.spec;
    const where = `${candidate.ref.eksCluster}/${candidate.ref.namespace}/${candidate.ref.cluster}`;
    if (explicitNames.has(name)) conflicts.push(`${where}: its target name ${name} is the name of an explicit target`);
    else if (count.get(name)! > 1) conflicts.push(`${where}: its target name ${name} is also derived for another Cluster`);
    else targets.push(candidate);
  }
  return { targets: targets.sort((a, b) => a.spec.name.localeCompare(b.spec.name)), conflicts: conflicts.sort() };
}

/**
 * Why a Cluster is no longer the discovered target a workflow input names (its policy label removed or changed), or
 * undefined while it is. A backup is taken only of a Cluster that asks for it under that policy.
 */
export function discoveredClusterProblem(
  labels: Readonly<Record<string, string>> | undefined,
  ref: DiscoveredTargetRef,
): string | undefined {
  const policy = labels?.[SchedulerLabel.Policy];
  if (policy === ref.policy) return undefined;
  return policy === undefined
    ? `Cluster ${ref.namespace}/${ref.cluster} no longer carries the label ${SchedulerLabel.Policy}: it is not a discovered target any more`
    : `Cluster ${ref.namespace}/${ref.cluster} is now under policy "${policy}", not "${ref.policy}": its next slot follows the new policy`;
}

/** One of our Backups that carries a policy label: it was taken for a discovered target. */
export interface PolicyLabelledBackup extends LabelledCluster {
  createdAt: string;
}

/**
 * The discovered targets of before, still to sweep: those of our policy-labelled Backups whose Cluster is no target
 * now (deleted, or its label removed). Retention keeps applying the policy they were backed up under (the newest such
 * Backup's, for a Cluster that changed policy before it left) until their last backup expires. The same rules as
 * discovery hold: a policy no longer configured, or a namespace no longer covered, is a conflict, never guessed.
 */
export function retiredTargets(input: {
  current: TargetDiscovery;
  explicit: readonly TargetSpec[];
  policies: Readonly<Record<string, TargetPolicy>>;
  discovery: readonly Discovery[];
  backups: readonly PolicyLabelledBackup[];
}): TargetDiscovery {
  const current = new Set(input.current.targets.map((target) => target.spec.name));
  const newestFirst = [...input.backups].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const byName = new Map<string, LabelledCluster>();
  for (const backup of newestFirst) {
    const name = discoveredTargetName(backup);
    if (!current.has(name) && !byName.has(name))
      byName.set(name, { eksCluster: backup.eksCluster, namespace: backup.namespace, cluster: backup.cluster, policy: backup.policy });
  }
  const retired = discoverTargets({ ...input, clusters: [...byName.values()] });
  return { targets: retired.targets, conflicts: retired.conflicts.map((conflict) => `retired target ${conflict}`) };
}
