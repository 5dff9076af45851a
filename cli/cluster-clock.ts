import { request, type RequestOptions } from 'node:https';
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';

/**
 * The time of a cluster's API server, read from the `Date` header of its answer to `GET /version` (any answer
 * carries it: Go's net/http server writes it on every response). The steps compare the cluster's own timestamps
 * (creationTimestamp, CNPG's startedAt, the Ready condition's transition) with "now"; taking now from the API server
 * keeps a laptop clock that is off from timing out a backup or misreporting a recovery time.
 */
export async function clusterTime(kubeconfig: KubeConfig): Promise<Date> {
  const cluster = kubeconfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster: pass --context <name>');
  const url = new URL('/version', cluster.server);
  const options: RequestOptions = { method: 'GET', hostname: url.hostname, port: url.port, path: url.pathname, headers: {} };
  await kubeconfig.applyToHTTPSOptions(options);
  const header = await new Promise<string | undefined>((resolve, reject) => {
    const req = request(options, (response) => {
      response.resume();
      resolve(response.headers.date);
    });
    req.on('error', (error) => reject(new Error(`cannot reach the API server ${cluster.server}: ${error.message}`)));
    req.end();
  });
  const time = header ? new Date(header) : undefined;
  if (!time || Number.isNaN(time.getTime())) throw new Error(`the API server ${cluster.server} sent no Date header`);
  return time;
}
