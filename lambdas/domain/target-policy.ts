import * as z from './zod-mini';
import { DNS_LABEL_RULE, isDnsLabel } from './kube-names';
import { DrillPolicySchema, KubeAuthSchema, TargetSpecSchema, type DrillPolicy } from './target-spec';

/**
 * Policies and discovery: a CNPG Cluster on an EKS cluster under discovery whose label `cnpg-snapshot-scheduler/policy`
 * names a policy is a target, with that policy's schedule, backup options, retention, RPO and drill. A label, not an
 * annotation: the API server filters Clusters by a label selector, so discovery is one LIST per EKS cluster that
 * returns only the labelled Clusters, where an annotation would have to list every Cluster to find them.
 */

const dnsLabel = z.string().check(z.refine(isDnsLabel, { message: DNS_LABEL_RULE }));

/**
 * What a policy sets: a target's schedule, backup options, retention, RPO and copies. Not drills: the admission policy admits a
 * drill's Cluster and Job by the explicit targets' names, so a discovered target is drilled by naming it as a target.
 */
export const TargetPolicySchema = z.pick(TargetSpecSchema, {
  schedule: true,
  backup: true,
  retention: true,
  rpoMinutes: true,
  copies: true,
});
export type TargetPolicy = z.infer<typeof TargetPolicySchema>;
export type TargetPolicyInput = z.input<typeof TargetPolicySchema>;

/** A policy's name is the value of a Cluster's policy label: a label value, and a DNS label so it reads like a name. */
export const PolicyNameSchema = dnsLabel;

/**
 * One EKS cluster whose Clusters are discovered, in the listed namespaces only: the scheduler's rights to write
 * (RBAC RoleBindings, the admission policy) are granted per namespace, so a namespace joins by config; a database
 * that joins a listed namespace needs only its label.
 */
export const DiscoverySchema = z.strictObject({
  eksCluster: TargetSpecSchema.shape.eksCluster,
  auth: z._default(KubeAuthSchema, { kind: 'eks' }),
  namespaces: z.array(dnsLabel).check(
    z.minLength(1, 'must list at least one namespace'),
    z.refine((namespaces) => new Set(namespaces).size === namespaces.length, { message: 'namespaces must be unique' }),
  ),
});
export type Discovery = z.infer<typeof DiscoverySchema>;
export type DiscoveryInput = z.input<typeof DiscoverySchema>;

/** The drill settings of a discovered target: none scheduled (see TargetPolicySchema). */
export const DISCOVERED_TARGET_DRILL: DrillPolicy = DrillPolicySchema.parse({ enabled: false });
