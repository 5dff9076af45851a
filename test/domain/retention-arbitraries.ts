import fc from 'fast-check';
import type { Backup, Cluster, PersistentVolumeClaim, VolumeSnapshot } from '../../lambdas/domain/kube-objects';
import { RetentionPolicySchema, type RetentionPolicy } from '../../lambdas/domain/target-spec';
import type { RetentionInputs } from '../../lambdas/domain/retention-plan';

/** Random but realistic namespace histories for the retention planner's property tests. */

export const NOW = new Date('2026-11-25T12:00:00Z');
export const CLUSTER = 'hendrix';
const HOUR = 3_600_000;

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function backupObject(options: {
  name: string;
  cluster?: string;
  phase?: string;
  createdAt: number;
  durationMs?: number;
  managed?: boolean;
  method?: Backup['spec']['method'];
}): Backup {
  const { phase } = options;
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Backup',
    metadata: {
      name: options.name,
      namespace: 'demo',
      creationTimestamp: iso(options.createdAt),
      labels: {
        'cnpg.io/cluster': options.cluster ?? CLUSTER,
        ...((options.managed ?? true) && { 'app.kubernetes.io/managed-by': 'cnpg-snapshot-scheduler' }),
      },
    },
    spec: { cluster: { name: options.cluster ?? CLUSTER }, method: options.method ?? 'volumeSnapshot' },
    ...(phase && {
      status: {
        phase,
        ...(phase !== 'pending' && { startedAt: iso(options.createdAt + 5000) }),
        ...(phase === 'completed' && { stoppedAt: iso(options.createdAt + (options.durationMs ?? 180_000)) }),
        ...(phase === 'failed' && { error: 'csi error' }),
      },
    }),
  };
}

export function snapshotObject(options: {
  name: string;
  backupName: string;
  cluster?: string;
  createdAt: number;
  role?: string;
}): VolumeSnapshot {
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshot',
    metadata: {
      name: options.name,
      namespace: 'demo',
      creationTimestamp: iso(options.createdAt),
      labels: { 'cnpg.io/cluster': options.cluster ?? CLUSTER, 'cnpg.io/backupName': options.backupName },
      annotations: { 'cnpg.io/pvcRole': options.role ?? 'PG_DATA' },
    },
    spec: { source: { persistentVolumeClaimName: `${options.cluster ?? CLUSTER}-1` }, volumeSnapshotClassName: 'csi-aws-vsc' },
  };
}

export function restoreCluster(name: string, snapshot: string, healthy: boolean): Cluster {
  return {
    apiVersion: 'postgresql.cnpg.io/v1',
    kind: 'Cluster',
    metadata: { name, namespace: 'demo' },
    spec: {
      instances: 1,
      storage: { size: '50Gi' },
      bootstrap: {
        recovery: { volumeSnapshots: { storage: { name: snapshot, kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' } } },
      },
    },
    status: { phase: healthy ? 'Cluster in healthy state' : 'Setting up primary' },
  };
}

export function pendingClaim(name: string, snapshot: string, phase: 'Pending' | 'Bound'): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: 'demo' },
    spec: { dataSource: { name: snapshot, kind: 'VolumeSnapshot', apiGroup: 'snapshot.storage.k8s.io' } },
    status: { phase },
  };
}

const duration = (units: ReadonlyArray<'h' | 'd' | 'w'>, max: number) =>
  fc.tuple(fc.integer({ min: 1, max }), fc.constantFrom(...units)).map(([n, unit]) => `${n}${unit}`);

export const policyArbitrary: fc.Arbitrary<RetentionPolicy> = fc
  .record({
    keepWithin: duration(['h', 'd', 'w'], 20),
    minKeep: fc.integer({ min: 1, max: 10 }),
    daily: fc.integer({ min: 0, max: 10 }),
    weekly: fc.integer({ min: 0, max: 6 }),
    monthly: fc.integer({ min: 0, max: 4 }),
    failedKeep: duration(['h', 'd'], 10),
    scope: fc.constantFrom('managed', 'all'),
  })
  .map((raw) => RetentionPolicySchema.parse(raw));

const backupSpec = fc.record({
  ageHours: fc.integer({ min: 0, max: 24 * 120 }),
  phase: fc.constantFrom(
    'completed',
    'completed',
    'completed',
    'completed',
    'failed',
    'pending',
    'started',
    'finalizing',
    'invalid backup definition',
    undefined,
  ),
  managed: fc.boolean(),
  otherCluster: fc.boolean(),
  snapshots: fc.integer({ min: 0, max: 3 }),
});

/** A namespace: the cluster's backups (and a few of another cluster), their snapshots, orphans, restores and claims. */
export const historyArbitrary: fc.Arbitrary<RetentionInputs> = fc
  .record({
    backups: fc.array(backupSpec, { maxLength: 60 }),
    orphans: fc.array(fc.record({ ageHours: fc.integer({ min: 0, max: 24 * 60 }), otherCluster: fc.boolean() }), { maxLength: 5 }),
    restores: fc.array(fc.record({ pick: fc.nat(), healthy: fc.boolean() }), { maxLength: 3 }),
    claims: fc.array(fc.record({ pick: fc.nat(), pending: fc.boolean() }), { maxLength: 3 }),
    policy: policyArbitrary,
  })
  .map(({ backups: specs, orphans, restores, claims, policy }) => {
    const backups: Backup[] = [];
    const snapshots: VolumeSnapshot[] = [];
    specs.forEach((spec, index) => {
      const createdAt = NOW.getTime() - spec.ageHours * HOUR - index * 1000;
      const cluster = spec.otherCluster && index % 4 === 0 ? 'jimi' : CLUSTER;
      const name = `${cluster}-${index}`;
      backups.push(backupObject({ name, cluster, phase: spec.phase, createdAt, managed: spec.managed || index % 3 !== 0 }));
      const roles = ['PG_DATA', 'PG_WAL', 'PG_TABLESPACE'];
      for (let i = 0; i < spec.snapshots; i += 1)
        snapshots.push(
          snapshotObject({
            name: i === 0 ? name : `${name}-${['wal', 'tbs-a'][i - 1]}`,
            backupName: name,
            cluster,
            createdAt: createdAt + 5000,
            role: roles[i],
          }),
        );
    });
    orphans.forEach((orphan, index) =>
      snapshots.push(
        snapshotObject({
          name: `gone-${index}`,
          backupName: `gone-${index}`,
          cluster: orphan.otherCluster ? 'jimi' : CLUSTER,
          createdAt: NOW.getTime() - orphan.ageHours * HOUR,
        }),
      ),
    );
    const pick = (n: number) => (snapshots.length > 0 ? snapshots[n % snapshots.length]!.metadata.name! : 'none');
    return {
      cluster: CLUSTER,
      backups,
      snapshots,
      clusters: restores.map((r, i) => restoreCluster(`restore-${i}`, pick(r.pick), r.healthy)),
      claims: claims.map((c, i) => pendingClaim(`claim-${i}`, pick(c.pick), c.pending ? 'Pending' : 'Bound')),
      policy,
      now: NOW,
    };
  });
