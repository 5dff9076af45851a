import { KubeApiTestServer, type KubeApiTestServerOptions } from './kube-api-test-server';

export {
  KubeApiTestServer,
  type KubeApiTestServerOptions,
  type KubeObjectLike,
  type RecordedRequest,
  type TestPrincipal,
} from './kube-api-test-server';
export type { CnpgSimulation } from '../cnpg/cnpg-simulation';
export type { ClusterBehaviour } from '../cnpg/cluster-behaviour';
export type { FaultHandle, FaultInjector, FaultResponse, FaultRule } from './fault-injector';
export type { KubeStatus } from './kube-status';

/** Starts an HTTPS Kubernetes API test server on 127.0.0.1 with a CA made for this run. */
export function startKubeApiTestServer(options: KubeApiTestServerOptions): Promise<KubeApiTestServer> {
  return KubeApiTestServer.start(options);
}
