import * as z from 'zod';
import { InvalidInputError } from '../errors';
import { TargetSpecSchema, type KubeAuth, type TargetSpec } from './target-spec';

/**
 * The targets of one deployment, as `cdk synth` validated them. The stack ships this document with its Lambdas (a
 * file in a Lambda layer); a workflow input only names a target, and the handlers take its spec from here, so an
 * execution input can never point a deployed Lambda at anything the deployment does not hold.
 */
/** How a tick fans out: at most this many targets of one EKS cluster are worked on at once. */
export const FanOutSettingsSchema = z.strictObject({
  concurrencyPerEksCluster: z.int().min(1).max(40).default(5),
});
export type FanOutSettings = z.infer<typeof FanOutSettingsSchema>;

export const TargetCatalogDocumentSchema = z.strictObject({
  targets: z.array(TargetSpecSchema),
  fanOut: FanOutSettingsSchema,
});
export type TargetCatalogDocument = z.infer<typeof TargetCatalogDocumentSchema>;

/** What a workflow input names a target by. */
export type TargetRef = string;

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

  /** The connection of an EKS cluster: its targets' auth (kubeconfig in local runs), IAM otherwise. */
  connection(eksCluster: string): KubeConnection {
    const target = this.document.targets.find((t) => t.eksCluster === eksCluster);
    return { eksCluster, auth: target?.auth ?? { kind: 'eks' } };
  }
}
