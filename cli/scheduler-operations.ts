import type { RecoveryPointCatalog } from '../lambdas/adapters/recovery-point-catalog';
import { createKubeResourcesFactory } from '../lambdas/adapters/kube-resources-factory';
import type { KubeResourcesFactory } from '../lambdas/adapters/kube-resources';
import { CnpgLabel } from '../lambdas/domain/cnpg-api';
import type { VolumeSnapshot } from '../lambdas/domain/kube-objects';
import type { RetentionPlan } from '../lambdas/domain/retention-plan';
import { FanOutSettingsSchema, TargetCatalog } from '../lambdas/domain/target-catalog';
import type { TargetSpec } from '../lambdas/domain/target-spec';
import { createApplyRetention } from '../lambdas/handlers/apply-retention';
import type { Log } from '../lambdas/runtime/logger';

/** What the CLI reads about a target; the same handlers and domain code as the deployed workflows. */
export interface SchedulerOperations {
  /** The retention dry run: what the policy keeps and deletes now, with the rule of each decision. */
  retentionPlan(target: TargetSpec, at: Date): Promise<RetentionPlan>;
  /** The target cluster's VolumeSnapshots (for sizes). */
  snapshots(target: TargetSpec): Promise<VolumeSnapshot[]>;
}

export interface KubeconfigSource {
  path: string;
  context?: string;
}

/** A dry run changes nothing, the recovery-point catalog (in AWS) included: any use of it here is a defect. */
const NO_CATALOG: RecoveryPointCatalog = {
  record: () => Promise.reject(new Error('a retention dry run records nothing')),
  recordsOf: () => Promise.reject(new Error('a retention dry run reads no recovery-point catalog')),
  expire: () => Promise.reject(new Error('a retention dry run expires nothing')),
  remove: () => Promise.reject(new Error('a retention dry run removes nothing')),
};

const silentLog: Log = { info: () => undefined, warn: () => undefined, error: () => undefined, appendKeys: () => undefined };

/** Operations on any Kubernetes cluster running CNPG, reached with a kubeconfig: no AWS at all. */
export function kubeconfigOperations(kubeconfig: KubeconfigSource): SchedulerOperations {
  // A local run: the one place kubeconfig auth is allowed.
  const factory = createKubeResourcesFactory({ region: 'local', allowKubeconfig: true });
  const kube: KubeResourcesFactory = (target) =>
    factory({
      eksCluster: target.eksCluster,
      auth: { kind: 'kubeconfig', path: kubeconfig.path, ...(kubeconfig.context && { context: kubeconfig.context }) },
    });
  return {
    async retentionPlan(target, at) {
      const catalog = new TargetCatalog({ targets: [target], fanOut: FanOutSettingsSchema.parse({}), policies: {}, discovery: [] });
      const dryRun = createApplyRetention({
        catalog: () => catalog,
        kube,
        events: { publish: () => Promise.resolve() },
        metrics: { record: () => undefined },
        now: () => at,
        log: silentLog,
        recoveryPoints: NO_CATALOG,
      });
      const { plan } = await dryRun({ input: { target: target.name, dryRun: true }, trigger: 'manual' });
      if (!plan) throw new Error('the retention dry run returned no plan');
      return plan;
    },
    async snapshots(target) {
      return (await kube(target)).list('volumesnapshots', target.namespace, { labelSelector: `${CnpgLabel.Cluster}=${target.cluster}` });
    },
  };
}
