import * as z from './zod-mini';
import { InvalidInputError } from '../errors';
import { discoveredTargetSpec, type DiscoveredTargetRef } from './target-discovery';
import { DiscoverySchema, PolicyNameSchema, TargetPolicySchema, type Discovery, type TargetPolicy } from './target-policy';
import { TargetSpecSchema, type KubeAuth, type TargetSpec } from './target-spec';

/**
 * The targets of one deployment, as `cdk synth` validated them. The stack ships this document with its Lambdas (a
 * file in a Lambda layer); a workflow input only names a target, and the handlers take its spec from here, so an
 * execution input can never point a deployed Lambda at anything the deployment does not hold.
 */
/** How a tick fans out: at most this many targets of one EKS cluster are worked on at once. */
export const FanOutSettingsSchema = z.strictObject({
  concurrencyPerEksCluster: z._default(z.int().check(z.gte(1), z.lte(40)), 5),
});
export type FanOutSettings = z.infer<typeof FanOutSettingsSchema>;

/** An EKS cluster a restore from the catalog may write into, and its namespaces there. */
export const RestoreDestinationsSchema = z.strictObject({
  eksCluster: z.string().check(z.minLength(1)),
  namespaces: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
});
export type RestoreDestinations = z.infer<typeof RestoreDestinationsSchema>;

export const TargetCatalogDocumentSchema = z.strictObject({
  targets: z.array(TargetSpecSchema),
  fanOut: FanOutSettingsSchema,
  policies: z.record(PolicyNameSchema, TargetPolicySchema),
  discovery: z.array(DiscoverySchema),
  /**
   * Where a restore from the catalog may write, when not where the targets and discovery are: a standby in the
   * disaster recovery Region writes only into its own EKS clusters and namespaces.
   */
  restoreDestinations: z.optional(z.array(RestoreDestinationsSchema)),
});
export type TargetCatalogDocument = z.infer<typeof TargetCatalogDocumentSchema>;

/** What a workflow input names a target by: an explicit target's name, or a discovered target's Cluster and policy. */
export type TargetRef = string | DiscoveredTargetRef;

/** How to reach the Kubernetes API of one EKS cluster. */
export interface KubeConnection {
  eksCluster: string;
  auth: KubeAuth;
}

export class TargetCatalog {
  private readonly byName: ReadonlyMap<string, TargetSpec>;

  constructor(readonly document: TargetCatalogDocument) {
    this.byName = new Map(document.targets.map((target) => [target.name, target]));
  }

  get targets(): readonly TargetSpec[] {
    return this.document.targets;
  }

  /** The target named `name`; `field` names the input field in the error when there is none. */
  target(name: string, field = 'target'): TargetSpec {
    const target = this.byName.get(name);
    if (!target) throw new InvalidInputError(`Invalid input: ${field}: "${name}" is not a target of this deployment`, [field]);
    return target;
  }

  find(name: string): TargetSpec | undefined {
    return this.byName.get(name);
  }

  get policies(): Readonly<Record<string, TargetPolicy>> {
    return this.document.policies;
  }

  get discovery(): readonly Discovery[] {
    return this.document.discovery;
  }

  /**
   * The target a workflow input refers to. A discovered target is rebuilt from its policy, and only where this
   * deployment discovers: its EKS cluster and namespace under discovery, a policy of the deployment, and no explicit
   * target for its Cluster (that one wins, and is named by its name). `field` names the input field in errors.
   */
  resolve(ref: TargetRef, field = 'target'): TargetSpec {
    if (typeof ref === 'string') return this.target(ref, field);
    const fail = (subfield: string, problem: string) => {
      throw new InvalidInputError(`Invalid input: ${field}.${subfield}: ${problem}`, [`${field}.${subfield}`]);
    };
    const discovery = this.document.discovery.find((d) => d.eksCluster === ref.eksCluster);
    if (!discovery) return fail('eksCluster', `"${ref.eksCluster}" is no EKS cluster this deployment discovers on`);
    if (!discovery.namespaces.includes(ref.namespace))
      return fail('namespace', `"${ref.namespace}" is no namespace this deployment discovers in on ${ref.eksCluster}`);
    const policy = Object.hasOwn(this.document.policies, ref.policy) ? this.document.policies[ref.policy] : undefined;
    if (!policy) return fail('policy', `"${ref.policy}" is not a policy of this deployment`);
    const explicit = this.document.targets.find(
      (t) => t.eksCluster === ref.eksCluster && t.namespace === ref.namespace && t.cluster === ref.cluster,
    );
    if (explicit) return fail('cluster', `${ref.namespace}/${ref.cluster} is explicit target "${explicit.name}": name it by that name`);
    return discoveredTargetSpec(ref, policy, discovery);
  }

  /** A standby's: the source's namespace is out of reach (in the lost Region), so every restore is from the catalog. */
  get restoresFromCatalogOnly(): boolean {
    return this.document.restoreDestinations !== undefined;
  }

  /**
   * The EKS clusters and namespaces a restore from the catalog may create objects in, where the deployment's RBAC is
   * bound: the standby's own, or else the targets' and discovery's.
   */
  restoreDestinations(): RestoreDestinations[] {
    if (this.document.restoreDestinations) return this.document.restoreDestinations;
    const clusters = [...new Set([...this.targets, ...this.discovery].map((t) => t.eksCluster))];
    return clusters.map((eksCluster) => ({
      eksCluster,
      namespaces: [
        ...new Set([
          ...this.targets.filter((t) => t.eksCluster === eksCluster).map((t) => t.namespace),
          ...this.discovery.filter((d) => d.eksCluster === eksCluster).flatMap((d) => d.namespaces),
        ]),
      ],
    }));
  }

  /** The connection of an EKS cluster: its targets' or discovery's auth (kubeconfig in local runs), IAM otherwise. */
  connection(eksCluster: string): KubeConnection {
    const target = this.document.targets.find((t) => t.eksCluster === eksCluster);
    const discovery = this.document.discovery.find((d) => d.eksCluster === eksCluster);
    return { eksCluster, auth: target?.auth ?? discovery?.auth ?? { kind: 'eks' } };
  }
}
