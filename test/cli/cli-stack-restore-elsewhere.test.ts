import type { Cluster, VolumeSnapshotContent } from '../../lambdas/domain/kube-objects';
import { HENDRIX, LOCAL_EKS_CLUSTER } from '../../simulator/local-scheduler';
import { VirtualClock } from '../../simulator/virtual-clock';
import { STACK, startStackModeCli, type StackModeCli } from './stack-mode-cli';

/**
 * `restore --to-namespace` against a deployed stack, after the source namespace is lost: the CLI invokes
 * RequestRestore, which imports the backup's storage snapshots from the recovery-point catalog into the other
 * namespace, and follows the restore workflow it started to a ready Cluster there.
 */
const START = new Date('2026-11-02T00:00:00Z');
/** A second target, so that the deployment writes in namespace `payments`. */
const JIMI = { name: 'jimi', eksCluster: LOCAL_EKS_CLUSTER, namespace: 'payments', cluster: 'jimi' };

let stackMode: StackModeCli;
let backup: string;

beforeAll(async () => {
  const clock = new VirtualClock(START);
  stackMode = await startStackModeCli({
    clock,
    targets: [HENDRIX, JIMI],
    history: async (local) => {
      expect((await local.runWorkflow('backup', { target: 'hendrix' })).status).toBe('SUCCEEDED');
      backup = local.events.ofType('Backup Completed').at(-1)!.detail.backup as string;
      clock.advance(10 * 60_000);
      local.server.remove('namespaces', '', 'demo');
    },
  });
});

afterAll(() => stackMode.close());

describe('cnpg-snapshot-scheduler restore --to-namespace --stack, once the source namespace is gone', () => {
  test('restores the latest backup from the catalog into the other namespace and follows it to ready', async () => {
    expect(stackMode.local.server.objects('volumesnapshots', 'demo')).toEqual([]);
    const { code, stdout, stderr } = await stackMode.cli(
      'restore',
      'hendrix',
      '--stack',
      STACK,
      '--to-namespace',
      'payments',
      '--cluster-name',
      'hendrix',
      '--wait',
      '--interval',
      '0.05',
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Restore started: cluster payments/hendrix from backup ${backup}`);
    expect(stdout).toContain('Cluster payments/hendrix is ready');
    const restored = stackMode.local.server.objects<Cluster>('clusters', 'payments').find((c) => c.metadata.name === 'hendrix')!;
    expect(restored.status?.phase).toBe('Cluster in healthy state');
    const imported = stackMode.local.server
      .objects<VolumeSnapshotContent>('volumesnapshotcontents')
      .filter((c) => c.spec.volumeSnapshotRef.namespace === 'payments');
    expect(imported.map((c) => c.spec.source.snapshotHandle).sort()).toEqual(stackMode.local.server.cnpg.storageSnapshots());
  });
});
