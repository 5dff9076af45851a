import type { KubeResourcesFactory } from '../../adapters/kube-resources';
import { createKubeResourcesFactory } from '../../adapters/kube-resources-factory';
import { requiredEnv } from '../../runtime/environment';

/**
 * Connections to the targets' Kubernetes APIs (EKS DescribeCluster, IAM tokens, @kubernetes/client-node), built on
 * first use so that importing an entry point reads no environment. Only the entry points that talk to Kubernetes
 * import this module, so only their bundles carry the Kubernetes client.
 */
export function productionKubeConnections(): KubeResourcesFactory {
  let factory: KubeResourcesFactory | undefined;
  return (target) => (factory ??= createKubeResourcesFactory({ region: requiredEnv('AWS_REGION') }))(target);
}
