import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';

/** Baseline for the Kubernetes-facing functions: one custom object read, as client-node's README writes it. */
export const handler = async (event: { namespace: string; name: string }): Promise<unknown> => {
  const config = new KubeConfig();
  config.loadFromDefault();
  const api = config.makeApiClient(CustomObjectsApi);
  return api.getNamespacedCustomObject({
    group: 'postgresql.cnpg.io',
    version: 'v1',
    namespace: event.namespace,
    plural: 'backups',
    name: event.name,
  });
};
