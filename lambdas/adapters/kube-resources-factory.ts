import { EKSClient } from '@aws-sdk/client-eks';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import type { OutgoingHttpHeaders } from 'node:http';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { PreconditionFailedError } from '../errors';
import { ClientNodeKubeResources } from './client-node-kube-resources';
import { EksClusterEndpoints } from './eks-cluster-endpoint';
import { EksTokenProvider } from './eks-token';
import type { KubeConnectionTarget, KubeResources, KubeResourcesFactory } from './kube-resources';
import type { RequestRetryPolicy, RetryClock } from './request-retry';

export interface KubeResourcesFactoryOptions {
  region: string;
  credentials?: AwsCredentialIdentityProvider;
  eks?: EKSClient;
  now?: () => Date;
  /** Objects per list page (default 500). */
  pageSize?: number;
  /** How transient failures are retried, and the time their waits run on (default: DEFAULT_REQUEST_RETRY, real time). */
  retry?: RequestRetryPolicy;
  retryClock?: RetryClock;
  /** Local runs only: lets targets connect through a kubeconfig file. A deployed Lambda never reads one. */
  allowKubeconfig?: boolean;
}

const EKS_USER = 'eks-iam-token';

/**
 * Connects to each EKS cluster once per Lambda container: endpoint and CA from DescribeCluster, a bearer token per
 * request from the IAM credentials (renewed before it expires). In local runs (`allowKubeconfig`), targets with
 * `auth.kind: kubeconfig` use a kubeconfig file instead; the code above the connection is the same.
 */
export function createKubeResourcesFactory(options: KubeResourcesFactoryOptions): KubeResourcesFactory {
  const credentials = options.credentials ?? defaultProvider();
  const endpoints = new EksClusterEndpoints(options.eks ?? new EKSClient({ region: options.region }));
  const connections = new Map<string, Promise<KubeResources>>();
  const clientOptions = {
    ...(options.pageSize && { pageSize: options.pageSize }),
    ...(options.retry && { retry: options.retry }),
    ...(options.retryClock && { clock: options.retryClock }),
  };

  async function connect(target: KubeConnectionTarget): Promise<KubeResources> {
    const config = new KubeConfig();
    if (target.auth.kind === 'kubeconfig') {
      if (!options.allowKubeconfig)
        throw new PreconditionFailedError(
          `kubeconfig auth is for local runs only: a deployed scheduler reaches EKS cluster ${target.eksCluster} with its IAM role`,
        );
      config.loadFromFile(target.auth.path);
      if (target.auth.context) config.setCurrentContext(target.auth.context);
      return new ClientNodeKubeResources(config, clientOptions);
    }
    const { endpoint, caData } = await endpoints.endpointOf(target.eksCluster);
    const tokens = new EksTokenProvider({
      region: options.region,
      clusterName: target.eksCluster,
      credentials,
      ...(options.now && { now: options.now }),
    });
    config.addAuthenticator({
      isAuthProvider: (user) => user.name === EKS_USER,
      // The options type names `ws` types that are not installed; only the headers are touched here.
      applyAuthentication: async (_user, request: { headers?: OutgoingHttpHeaders }) => {
        request.headers = { ...request.headers, Authorization: `Bearer ${await tokens.token()}` };
      },
    });
    // No static token on the user: it would override the authenticator.
    config.loadFromClusterAndUser({ name: target.eksCluster, server: endpoint, caData, skipTLSVerify: false }, { name: EKS_USER });
    return new ClientNodeKubeResources(config, { ...clientOptions, onUnauthorized: () => tokens.invalidate() });
  }

  return (target) => {
    const key =
      target.auth.kind === 'kubeconfig' ? `kubeconfig:${target.auth.path}:${target.auth.context ?? ''}` : `eks:${target.eksCluster}`;
    let connection = connections.get(key);
    if (!connection) {
      connection = connect(target);
      connections.set(key, connection);
      connection.catch(() => connections.delete(key));
    }
    return connection;
  };
}
