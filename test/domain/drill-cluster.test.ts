import { buildDrillPlan, drillClusterName, isDrillClusterOf, isDrillClusterVolume } from '../../lambdas/domain/drill-cluster';
import type { Cluster, PersistentVolumeClaim } from '../../lambdas/domain/kube-objects';
import { completedBackup, NAMESPACE, snapshotsOf, sourceCluster } from './restore-fixtures';

const NOW = new Date('2026-11-29T04:00:00Z');
const drill = { target: 'hendrix', executionName: 'hendrix-drill-20261129040000', clusterName: 'hendrix-drill-20261129040000' };

function plan() {
  const backup = completedBackup('hendrix-20261129030000', '2026-11-29T03:03:05Z');
  return buildDrillPlan({
    target: 'hendrix',
    executionName: drill.executionName,
    live: sourceCluster({ walArchive: 'plugin' }),
    source: { namespace: NAMESPACE, cluster: 'hendrix' },
    backup,
    snapshots: snapshotsOf(backup),
    clusterName: drill.clusterName,
    now: NOW,
  });
}

const clusterWith = (name: string, labels: Record<string, string>, execution?: string): Cluster => ({
  apiVersion: 'postgresql.cnpg.io/v1',
  kind: 'Cluster',
  metadata: {
    name,
    namespace: NAMESPACE,
    labels,
    ...(execution !== undefined && { annotations: { 'cnpg-snapshot-scheduler/execution': execution } }),
  },
  spec: { instances: 1 },
});
const marks: Record<string, string> = {
  'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler',
  'cnpg-snapshot-scheduler/target': 'hendrix',
  'cnpg-snapshot-scheduler/drill': 'hendrix',
};

describe('the drill cluster', () => {
  test('is named after the source and the time, and fits CNPG recovery Job name', () => {
    expect(drillClusterName('hendrix', NOW)).toBe('hendrix-drill-20261129040000');
    const long = drillClusterName('a'.repeat(40), NOW);
    expect(long.length).toBe(43);
    expect(long.endsWith('-drill-20261129040000')).toBe(true);
  });

  test('has one instance, the drill marks, and no spec.backup and no WAL archiver: it archives nothing, nobody backs it up', () => {
    const { manifest } = plan();
    expect(manifest.spec.instances).toBe(1);
    expect(manifest.metadata.labels).toMatchObject(marks);
    expect(manifest.metadata.annotations).toMatchObject({ 'cnpg-snapshot-scheduler/execution': drill.executionName });
    expect(manifest.spec.backup).toBeUndefined();
    expect((manifest.spec.plugins ?? []).filter((p) => p.isWALArchiver)).toEqual([]);
    expect(manifest.spec.bootstrap).toMatchObject({ recovery: { volumeSnapshots: { storage: { name: 'hendrix-20261129030000' } } } });
  });

  test('is deleted only when it carries every mark of this drill: labels, execution, name', () => {
    expect(isDrillClusterOf(plan().manifest, drill)).toBe(true);
    expect(isDrillClusterOf(clusterWith(drill.clusterName, marks, drill.executionName), drill)).toBe(true);
    for (const label of Object.keys(marks)) {
      const rest = Object.fromEntries(Object.entries(marks).filter(([key]) => key !== label));
      expect(isDrillClusterOf(clusterWith(drill.clusterName, rest, drill.executionName), drill)).toBe(false);
    }
    expect(
      isDrillClusterOf(clusterWith(drill.clusterName, { ...marks, 'cnpg-snapshot-scheduler/drill': 'jimi' }, drill.executionName), drill),
    ).toBe(false);
    expect(isDrillClusterOf(clusterWith(drill.clusterName, marks, 'another-execution'), drill)).toBe(false);
    expect(isDrillClusterOf(clusterWith(drill.clusterName, marks), drill)).toBe(false);
    expect(isDrillClusterOf(clusterWith('hendrix-drill-20261129050000', marks, drill.executionName), drill)).toBe(false);
    // The source itself, even if someone labelled it so, is not a drill cluster: the name says so.
    expect(
      isDrillClusterOf(clusterWith('hendrix', marks, drill.executionName), { target: 'hendrix', executionName: drill.executionName }),
    ).toBe(false);
  });

  test('its volumes are the claims labelled with it and named after it, and no others', () => {
    const claim = (name: string, cluster: string): PersistentVolumeClaim => ({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name, labels: { 'cnpg.io/cluster': cluster } },
      spec: {},
    });
    const name = drill.clusterName;
    expect(isDrillClusterVolume(claim(`${name}-1`, name), name)).toBe(true);
    expect(isDrillClusterVolume(claim(`${name}-1-wal`, name), name)).toBe(true);
    expect(isDrillClusterVolume(claim(`${name}-1-tbs-archive`, name), name)).toBe(true);
    expect(isDrillClusterVolume(claim('hendrix-1', name), name)).toBe(false);
    expect(isDrillClusterVolume(claim(`${name}-1`, 'hendrix'), name)).toBe(false);
    expect(isDrillClusterVolume(claim(`${name}-data`, name), name)).toBe(false);
  });
});
