import { DescribeClusterCommand, EKSClient, ResourceNotFoundException } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { EksClusterEndpoints } from '../../lambdas/adapters/eks-cluster-endpoint';
import { TransientError } from '../../lambdas/errors';

const eks = mockClient(EKSClient);
const active = {
  cluster: {
    name: 'prod-eks',
    status: 'ACTIVE' as const,
    endpoint: 'https://ABC.gr7.eu-west-1.eks.amazonaws.com',
    certificateAuthority: { data: 'LS0tLS1CRUdJTg==' },
  },
};

describe('EKS cluster endpoints', () => {
  beforeEach(() => eks.reset());

  test('come from DescribeCluster and are asked for once per cluster', async () => {
    eks.on(DescribeClusterCommand).resolves(active);
    const endpoints = new EksClusterEndpoints(new EKSClient({ region: 'eu-west-1' }));
    expect(await endpoints.endpointOf('prod-eks')).toEqual({ endpoint: active.cluster.endpoint, caData: 'LS0tLS1CRUdJTg==' });
    await endpoints.endpointOf('prod-eks');
    expect(eks).toHaveReceivedCommandTimes(DescribeClusterCommand, 1);
    expect(eks).toHaveReceivedCommandWith(DescribeClusterCommand, { name: 'prod-eks' });
  });

  test('a cluster that does not exist is a clear, permanent error', async () => {
    eks.on(DescribeClusterCommand).rejects(new ResourceNotFoundException({ message: 'No cluster found for name: nope.', $metadata: {} }));
    await expect(new EksClusterEndpoints(new EKSClient({ region: 'eu-west-1' })).endpointOf('nope')).rejects.toMatchObject({
      name: 'PreconditionFailedError',
      message: 'EKS cluster nope does not exist in this account and region',
    });
  });

  test('the mapped error keeps the SDK failure as its cause', async () => {
    const missing = new ResourceNotFoundException({ message: 'No cluster found for name: nope.', $metadata: {} });
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    eks.on(DescribeClusterCommand).rejectsOnce(missing).rejectsOnce(throttled);
    const endpoints = new EksClusterEndpoints(new EKSClient({ region: 'eu-west-1' }));
    await expect(endpoints.endpointOf('nope')).rejects.toHaveProperty('cause', missing);
    await expect(endpoints.endpointOf('prod-eks')).rejects.toHaveProperty('cause', throttled);
  });

  test('a cluster that is not ACTIVE is refused', async () => {
    eks.on(DescribeClusterCommand).resolves({ cluster: { ...active.cluster, status: 'UPDATING' } });
    await expect(new EksClusterEndpoints(new EKSClient({ region: 'eu-west-1' })).endpointOf('prod-eks')).rejects.toThrow(
      'is UPDATING, not ACTIVE',
    );
  });

  test('throttling is transient, and a failure is not cached', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    eks.on(DescribeClusterCommand).rejectsOnce(throttled).resolves(active);
    const endpoints = new EksClusterEndpoints(new EKSClient({ region: 'eu-west-1' }));
    await expect(endpoints.endpointOf('prod-eks')).rejects.toBeInstanceOf(TransientError);
    expect((await endpoints.endpointOf('prod-eks')).endpoint).toBe(active.cluster.endpoint);
  });
});
