import { DescribeClusterCommand, EKSClient, ResourceNotFoundException } from '@aws-sdk/client-eks';
import { PreconditionFailedError, TransientError } from '../errors';

export interface EksClusterEndpoint {
  endpoint: string;
  /** Base64 PEM of the cluster CA, as DescribeCluster returns it (kubeconfig certificate-authority-data). */
  caData: string;
}

/** The API endpoint and CA of EKS clusters, from DescribeCluster, cached for the life of the Lambda container. */
export class EksClusterEndpoints {
  private readonly cache = new Map<string, Promise<EksClusterEndpoint>>();

  constructor(private readonly eks: EKSClient) {}

  endpointOf(clusterName: string): Promise<EksClusterEndpoint> {
    let endpoint = this.cache.get(clusterName);
    if (!endpoint) {
      endpoint = this.describe(clusterName);
      this.cache.set(clusterName, endpoint);
      // A failure is not cached: the next invocation asks again.
      endpoint.catch(() => this.cache.delete(clusterName));
    }
    return endpoint;
  }

  private async describe(clusterName: string): Promise<EksClusterEndpoint> {
    let response;
    try {
      response = await this.eks.send(new DescribeClusterCommand({ name: clusterName }));
    } catch (error) {
      if (error instanceof ResourceNotFoundException)
        throw new PreconditionFailedError(`EKS cluster ${clusterName} does not exist in this account and region`, { cause: error });
      const name = (error as Error).name;
      if (/Throttling|TooManyRequests|ServiceUnavailable|ServerException|RequestTimeout|NetworkingError|TimeoutError/.test(name))
        throw new TransientError(`DescribeCluster ${clusterName}: ${name}: ${(error as Error).message}`, undefined, {
          cause: error,
        });
      throw error;
    }
    const cluster = response.cluster;
    if (cluster?.status !== 'ACTIVE' || !cluster.endpoint || !cluster.certificateAuthority?.data)
      throw new PreconditionFailedError(`EKS cluster ${clusterName} is ${cluster?.status ?? 'unknown'}, not ACTIVE with an endpoint`);
    return { endpoint: cluster.endpoint, caData: cluster.certificateAuthority.data };
  }
}
