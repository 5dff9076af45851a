export { KubeApiTestServer, type KubeApiTestServerOptions, type RecordedRequest, type TestPrincipal } from './kube-api-test-server';
export type { ClusterBehaviour } from './cnpg-simulation';
export type { FaultRule, FaultResponse } from './fault-injector';
import { KubeApiTestServer, type KubeApiTestServerOptions } from './kube-api-test-server';

/** Starts an HTTPS Kubernetes API test server on 127.0.0.1 with a CA made for this run. */
export function startKubeApiTestServer(options: KubeApiTestServerOptions): Promise<KubeApiTestServer> {
  return KubeApiTestServer.start(options);
}
