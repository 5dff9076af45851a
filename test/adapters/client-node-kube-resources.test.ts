import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { createKubeResourcesFactory } from '../../lambdas/adapters/kube-resources-factory';
import type { KubeResources } from '../../lambdas/adapters/kube-resources';
import type { Backup } from '../../lambdas/domain/kube-objects';
import { KubernetesApiError } from '../../lambdas/errors';
import { exampleCluster } from '../../simulator/kube-api-server/fixtures';
import { startKubeApiTestServer, type KubeApiTestServer } from '../../simulator/kube-api-server';
import { WORKFLOW_PRINCIPAL } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';
import { shippedRbac } from '../kube-api-server/api-harness';

/** The production Kubernetes adapter, over real HTTPS with real tokens, against the Kubernetes API test server. */

const backup = (name: string, cluster: string): Backup => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Backup',
  metadata: { name, namespace: 'demo', labels: { 'cnpg.io/cluster': cluster } },
  spec: { cluster: { name: cluster }, method: 'volumeSnapshot' },
});

describe('the Kubernetes adapter', () => {
  const clock = new VirtualClock('2026-11-25T05:00:00Z');
  let server: KubeApiTestServer;
  let kube: KubeResources;

  beforeAll(async () => {
    server = await startKubeApiTestServer({
      clock,
      eksClusterName: 'adapter-eks',
      region: 'eu-west-1',
      principals: [WORKFLOW_PRINCIPAL],
      manifests: [shippedRbac()],
    });
    server.seed({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshotContent',
      metadata: { name: 'snapcontent-1' },
      spec: {
        deletionPolicy: 'Retain',
        driver: 'ebs.csi.aws.com',
        source: { snapshotHandle: 'snap-0123456789abcdef0' },
        volumeSnapshotRef: { name: 'held', namespace: 'demo' },
      },
    });
    server.seed({
      apiVersion: 'snapshot.storage.k8s.io/v1',
      kind: 'VolumeSnapshot',
      metadata: {
        name: 'held',
        namespace: 'demo',
        labels: { 'cnpg.io/cluster': 'hendrix' },
        finalizers: ['snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection'],
      },
      spec: { source: { volumeSnapshotContentName: 'snapcontent-1' } },
    });
    server.seed(exampleCluster({ namespace: 'demo', name: 'hendrix' }));
    const eks = new EKSClient({ region: 'eu-west-1' });
    mockClient(eks)
      .on(DescribeClusterCommand)
      .callsFake(() => ({ cluster: { status: 'ACTIVE', endpoint: server.url, certificateAuthority: { data: server.caData } } }));
    const { accessKeyId, secretAccessKey } = WORKFLOW_PRINCIPAL;
    const factory = createKubeResourcesFactory({
      region: 'eu-west-1',
      eks,
      credentials: async () => ({ accessKeyId, secretAccessKey }),
      now: () => clock.now(),
      pageSize: 2,
    });
    kube = await factory({ eksCluster: 'adapter-eks', auth: { kind: 'eks' } });
    for (const [i, cluster] of ['hendrix', 'jimi', 'hendrix', 'hendrix', 'jimi', 'hendrix', 'hendrix'].entries())
      await kube.create('backups', 'demo', backup(`b-${i}`, cluster));
  });
  afterAll(() => server.close());

  test('reads a list page by page, following continue tokens, with the label selector on every page', async () => {
    const before = server.requests.length;
    const hendrix = await kube.list('backups', 'demo', { labelSelector: 'cnpg.io/cluster=hendrix' });
    expect(hendrix.map((b) => b.metadata.name)).toEqual(['b-0', 'b-2', 'b-3', 'b-5', 'b-6']);
    expect(server.requests.slice(before).map((r) => `${r.verb} ${r.resource} ${r.status}`)).toEqual([
      'list backups 200',
      'list backups 200',
      'list backups 200',
    ]);
    expect(await kube.list('backups', 'demo')).toHaveLength(7);
  });

  test('returns objects as the API sent them: plain JSON, timestamps as RFC 3339 strings', async () => {
    const cluster = await kube.get('clusters', 'demo', 'hendrix');
    expect(cluster?.metadata.creationTimestamp).toBe('2026-11-25T05:00:00Z');
    const claims = await kube.list('persistentvolumeclaims', 'demo');
    expect(Array.isArray(claims)).toBe(true);
  });

  test('a missing object is undefined on get and absent on delete', async () => {
    expect(await kube.get('backups', 'demo', 'nope')).toBeUndefined();
    expect(await kube.delete('volumesnapshots', 'demo', 'nope')).toBe('absent');
  });

  test('creating an existing object returns the existing one', async () => {
    const again = await kube.create('backups', 'demo', backup('b-0', 'hendrix'));
    expect(again.created).toBe(false);
    expect(again.created ? undefined : again.existing.metadata.uid).toEqual(expect.any(String));
  });

  test("merge-patches a cluster-scoped snapshot content's deletionPolicy", async () => {
    const patched = await kube.patch('volumesnapshotcontents', '', 'snapcontent-1', { spec: { deletionPolicy: 'Delete' } });
    expect(patched?.spec.deletionPolicy).toBe('Delete');
  });

  test('merge-patches labels, keeping the labels it does not name', async () => {
    const patched = await kube.patch('volumesnapshots', 'demo', 'held', { metadata: { labels: { mark: 'ours' } } });
    expect(patched?.metadata.labels).toEqual({ 'cnpg.io/cluster': 'hendrix', mark: 'ours' });
    expect(await kube.patch('volumesnapshots', 'demo', 'nope', { metadata: { labels: { mark: 'ours' } } })).toBeUndefined();
  });

  test('an object its finalizers hold is reported deleting (the simulated snapshot controller then releases it)', async () => {
    expect(await kube.delete('volumesnapshots', 'demo', 'held')).toBe('deleting');
    expect(server.objects<{ metadata: { name: string } }>('volumesnapshots', 'demo').map((s) => s.metadata.name)).toEqual([]);
  });

  test('a 401 is retried once with a freshly signed token', async () => {
    clock.advance(60_000);
    server.revokeTokensIssuedBefore(clock.now());
    const before = server.requests.length;
    expect((await kube.get('clusters', 'demo', 'hendrix'))?.metadata.name).toBe('hendrix');
    expect(server.requests.slice(before).map((r) => r.status)).toEqual([401, 200]);
  });

  test('a 403 is a permanent error carrying the API message', async () => {
    const error = await kube.list('jobs', 'kube-system').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect(error).toMatchObject({ status: 403, reason: 'Forbidden' });
    expect((error as Error).message).toContain('cannot list resource "jobs" in API group "batch" in the namespace "kube-system"');
  });
});
