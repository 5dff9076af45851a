import fc from 'fast-check';
import {
  BackupPhase,
  CNPG_API_VERSION,
  CnpgAnnotation,
  CnpgLabel,
  KubeLabel,
  SNAPSHOT_API_VERSION,
  SNAPSHOT_GROUP,
  SnapshotRole,
  type BackupPhase as BackupPhaseName,
  type SnapshotRole as SnapshotRoleName,
} from '../../lambdas/domain/cnpg-api';
import type { Backup, Cluster, PersistentVolumeClaim, VolumeSnapshot } from '../../lambdas/domain/kube-objects';
import type { RetentionInputs } from '../../lambdas/domain/retention-plan';
import { ownershipLabels, snapshotMarks } from '../../lambdas/domain/scheduler-metadata';
import { RetentionPolicySchema, type RetentionPolicy } from '../../lambdas/domain/target-spec';

/** Realistic namespaces for the retention planner: builders for each object, and random histories built from them. */

export const NOW = new Date('2026-11-25T12:00:00Z');
export const CLUSTER = 'hendrix';
/** The target planned; named unlike its cluster so that a mix-up of the two fails the tests. */
export const TARGET = 'hendrix-hourly';
export const OTHER_TARGET = 'hendrix-daily';
export const OTHER_CLUSTER = 'jimi';
export const NAMESPACE = 'demo';
export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** How long a backup takes from creation to completion in these fixtures. */
export const BACKUP_DURATION = 180_000;

/** RFC 3339 with seconds, as the API server writes times. */
export const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const ROLES: readonly SnapshotRoleName[] = [SnapshotRole.PgData, SnapshotRole.PgWal, SnapshotRole.PgTablespace];

/** CNPG's snapshot names for a backup: `<backup>`, `<backup>-wal`, `<backup>-tbs-<tablespace>`. */
export function snapshotNameFor(backupName: string, role: SnapshotRoleName): string {
  return role === SnapshotRole.PgData ? backupName : role === SnapshotRole.PgWal ? `${backupName}-wal` : `${backupName}-tbs-archive`;
}

export interface BackupOptions {
  name: string;
  /** When the Backup was created, ms since the epoch; a completed one stops BACKUP_DURATION later. */
  createdAt: number;
  phase?: BackupPhaseName;
  cluster?: string;
  /** Carries the scheduler's marks (default true), for `target` (default TARGET). */
  managed?: boolean;
  target?: string;
  /** Absent means barmanObjectStore, the CRD default. */
  method?: Backup['spec']['method'] | null;
  /** The roles of the snapshots it took (default PGDATA and WAL). */
  roles?: readonly SnapshotRoleName[];
}

export function backupObject(options: BackupOptions): Backup {
  const { phase, name, createdAt } = options;
  const cluster = options.cluster ?? CLUSTER;
  const method = options.method === undefined ? 'volumeSnapshot' : options.method;
  const roles = options.roles ?? [SnapshotRole.PgData, SnapshotRole.PgWal];
  const started = phase !== undefined && phase !== BackupPhase.Pending && phase !== BackupPhase.DefinitionInvalid;
  return {
    apiVersion: CNPG_API_VERSION,
    kind: 'Backup',
    metadata: {
      name,
      namespace: NAMESPACE,
      creationTimestamp: rfc3339(createdAt),
      labels: { [CnpgLabel.Cluster]: cluster, ...((options.managed ?? true) && ownershipLabels(options.target ?? TARGET)) },
    },
    spec: { cluster: { name: cluster }, ...(method !== null && { method }) },
    ...(phase !== undefined && {
      status: {
        phase,
        ...(started && { method: 'volumeSnapshot', startedAt: rfc3339(createdAt + 5000) }),
        ...(phase === BackupPhase.Completed && {
          stoppedAt: rfc3339(createdAt + BACKUP_DURATION),
          snapshotBackupStatus: { elements: roles.map((type) => ({ name: snapshotNameFor(name, type), type })) },
        }),
        ...(phase === BackupPhase.Failed && { error: "can't execute snapshot backup: the EBS CSI driver timed out" }),
        ...(phase === BackupPhase.DefinitionInvalid && { error: 'no volumeSnapshot section defined on the target cluster' }),
      },
    }),
  };
}

export interface SnapshotOptions {
  name: string;
  /** Its cnpg.io/backupName label; null for a snapshot taken by hand, which has none. */
  backupName: string | null;
  createdAt: number;
  cluster?: string;
  role?: SnapshotRoleName;
  /** The target whose marks it carries (the scheduler labels the snapshots of its completed Backups); none by default. */
  markedFor?: string;
  /** Its deletion was accepted and finalizers hold it: deletionTimestamp set. */
  deleting?: boolean;
}

export function snapshotObject(options: SnapshotOptions): VolumeSnapshot {
  const cluster = options.cluster ?? CLUSTER;
  const role = options.role ?? SnapshotRole.PgData;
  const pvc = role === SnapshotRole.PgData ? `${cluster}-1` : role === SnapshotRole.PgWal ? `${cluster}-1-wal` : `${cluster}-1-tbs-archive`;
  return {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: 'VolumeSnapshot',
    metadata: {
      name: options.name,
      namespace: NAMESPACE,
      creationTimestamp: rfc3339(options.createdAt),
      labels: {
        [CnpgLabel.Cluster]: cluster,
        [KubeLabel.ManagedBy]: 'cloudnative-pg',
        ...(options.backupName !== null && { [CnpgLabel.BackupName]: options.backupName }),
        ...(role === SnapshotRole.PgTablespace && { [CnpgLabel.TablespaceName]: 'archive' }),
        ...(options.markedFor !== undefined && snapshotMarks(options.markedFor)),
      },
      annotations: { [CnpgAnnotation.PvcRole]: role },
      finalizers: [
        'snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection',
        'snapshot.storage.kubernetes.io/volumesnapshot-bound-protection',
      ],
      ...(options.deleting && { deletionTimestamp: rfc3339(NOW.getTime() - 60_000) }),
    },
    spec: { source: { persistentVolumeClaimName: pvc }, volumeSnapshotClassName: 'csi-aws-vsc' },
    status: {
      boundVolumeSnapshotContentName: `snapcontent-${options.name}`,
      readyToUse: true,
      creationTime: rfc3339(options.createdAt + 1000),
      restoreSize: '50Gi',
    },
  };
}

/**
 * The snapshots CNPG took for a backup, created just after it; those of a completed Backup of the scheduler carry
 * its marks unless `marked` is false (the marking after completion failed).
 */
export function snapshotsOfBackup(
  backup: Backup,
  roles: readonly SnapshotRoleName[] = [SnapshotRole.PgData, SnapshotRole.PgWal],
  options: { marked?: boolean; deleting?: readonly boolean[] } = {},
) {
  const backupName = backup.metadata.name;
  const target = backup.metadata.labels?.['cnpg-snapshot-scheduler/target'];
  const marked = (options.marked ?? true) && backup.status?.phase === BackupPhase.Completed && target !== undefined;
  return roles.map((role, index) =>
    snapshotObject({
      name: snapshotNameFor(backupName, role),
      backupName,
      cluster: backup.spec.cluster.name,
      createdAt: Date.parse(backup.metadata.creationTimestamp!) + 5000,
      role,
      ...(marked && { markedFor: target }),
      ...(options.deleting?.[index] && { deleting: true }),
    }),
  );
}

const snapshotRef = (name: string) => ({ name, kind: 'VolumeSnapshot', apiGroup: SNAPSHOT_GROUP });

/** What a recovery bootstrap names: snapshots by role, or a Backup. */
export type RecoverySource = { storage: string; walStorage?: string; tablespace?: string } | { backup: string };

export function restoreCluster(name: string, source: RecoverySource, phase: string | undefined): Cluster {
  const recovery =
    'backup' in source
      ? { backup: { name: source.backup } }
      : {
          volumeSnapshots: {
            storage: snapshotRef(source.storage),
            ...(source.walStorage && { walStorage: snapshotRef(source.walStorage) }),
            ...(source.tablespace && { tablespaceStorage: { archive: snapshotRef(source.tablespace) } }),
          },
        };
  return {
    apiVersion: CNPG_API_VERSION,
    kind: 'Cluster',
    metadata: { name, namespace: NAMESPACE },
    spec: {
      instances: 1,
      storage: { size: '50Gi' },
      ...('walStorage' in source && source.walStorage && { walStorage: { size: '10Gi' } }),
      bootstrap: { recovery },
    },
    ...(phase !== undefined && { status: { phase } }),
  };
}

export function restoringClaim(
  name: string,
  snapshot: string,
  options: { phase?: 'Pending' | 'Bound' | 'Lost'; field?: 'dataSource' | 'dataSourceRef' } = {},
): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace: NAMESPACE },
    spec: { [options.field ?? 'dataSource']: snapshotRef(snapshot), accessModes: ['ReadWriteOnce'] },
    ...(options.phase && { status: { phase: options.phase } }),
  };
}

const duration = (units: ReadonlyArray<'m' | 'h' | 'd' | 'w'>, max: number) =>
  fc.tuple(fc.integer({ min: 1, max }), fc.constantFrom(...units)).map(([n, unit]) => `${n}${unit}`);

export const policyArbitrary: fc.Arbitrary<RetentionPolicy> = fc
  .record({
    keepWithin: duration(['m', 'h', 'd', 'w'], 20),
    minKeep: fc.integer({ min: 1, max: 10 }),
    daily: fc.integer({ min: 0, max: 10 }),
    weekly: fc.integer({ min: 0, max: 6 }),
    monthly: fc.integer({ min: 0, max: 4 }),
    failedKeep: duration(['h', 'd'], 10),
    scope: fc.constantFrom('managed', 'all'),
  })
  .map((raw) => RetentionPolicySchema.parse(raw));

const UNFINISHED_PHASES: ReadonlyArray<BackupPhaseName | undefined> = [
  BackupPhase.Pending,
  BackupPhase.Started,
  BackupPhase.Running,
  BackupPhase.Finalizing,
  BackupPhase.DefinitionInvalid,
  undefined,
];

const backupSpec = fc.record({
  // Dense recent histories make ties and window edges likely; sparse ones reach several months back.
  ageMinutes: fc.oneof(
    fc.integer({ min: 0, max: 3 * 24 * 60 }),
    fc.integer({ min: 0, max: 120 * 24 * 60 }).map((m) => m - (m % 60)),
  ),
  phase: fc.oneof(
    { arbitrary: fc.constant(BackupPhase.Completed), weight: 12 },
    { arbitrary: fc.constant(BackupPhase.Failed), weight: 2 },
    { arbitrary: fc.constantFrom(...UNFINISHED_PHASES), weight: 2 },
  ),
  managed: fc.constantFrom(true, true, true, false),
  target: fc.constantFrom(TARGET, TARGET, TARGET, OTHER_TARGET),
  /** The marking of its snapshots after completion ran (false: it was cut short). */
  marked: fc.constantFrom(true, true, true, false),
  /** Per snapshot: a previous run's deletion of it is waiting on finalizers. */
  deleting: fc.array(fc.constantFrom(false, false, false, false, false, true), { minLength: 3, maxLength: 3 }),
  cluster: fc.constantFrom(CLUSTER, CLUSTER, CLUSTER, OTHER_CLUSTER),
  method: fc.constantFrom<BackupOptions['method']>('volumeSnapshot', 'volumeSnapshot', 'volumeSnapshot', 'barmanObjectStore', null),
  roles: fc.subarray([...ROLES]),
});

const orphanSpec = fc.record({
  ageMinutes: fc.integer({ min: 0, max: 60 * 24 * 60 }),
  cluster: fc.constantFrom(CLUSTER, CLUSTER, OTHER_CLUSTER),
  /** Snapshots taken by hand carry no cnpg.io/backupName. */
  byHand: fc.boolean(),
  /** Whose marks it carries: snapshots of a Backup of the scheduler deleted by someone else, or of a user's. */
  markedFor: fc.constantFrom<string | undefined>(TARGET, TARGET, OTHER_TARGET, undefined, undefined),
  deleting: fc.constantFrom(false, false, false, true),
});

const restoreSpec = fc.record({
  pick: fc.nat(),
  via: fc.constantFrom('storage', 'walStorage', 'tablespace', 'backup'),
  phase: fc.constantFrom('Setting up primary', 'Cluster in healthy state', 'Waiting for the instances to become active', undefined),
});

const claimSpec = fc.record({
  pick: fc.nat(),
  phase: fc.constantFrom('Pending', 'Bound', 'Lost', undefined),
  field: fc.constantFrom('dataSource', 'dataSourceRef'),
});

/** A namespace: backups of the cluster and of another, of several methods and phases, their snapshots, orphans, restores, claims. */
export const historyArbitrary: fc.Arbitrary<RetentionInputs> = fc
  .record({
    backups: fc.array(backupSpec, { maxLength: 80, size: 'max' }),
    orphans: fc.array(orphanSpec, { maxLength: 6 }),
    restores: fc.array(restoreSpec, { maxLength: 3 }),
    claims: fc.array(claimSpec, { maxLength: 3 }),
    policy: policyArbitrary,
  })
  .map(({ backups: specs, orphans, restores, claims, policy }) => {
    const backups: Backup[] = [];
    const snapshots: VolumeSnapshot[] = [];
    specs.forEach((spec, index) => {
      const createdAt = NOW.getTime() - spec.ageMinutes * 60_000 - BACKUP_DURATION;
      const backup = backupObject({
        name: `${spec.cluster}-${index}`,
        createdAt,
        phase: spec.phase,
        cluster: spec.cluster,
        managed: spec.managed,
        target: spec.target,
        method: spec.method,
        roles: spec.roles,
      });
      backups.push(backup);
      snapshots.push(...snapshotsOfBackup(backup, spec.roles, { marked: spec.marked, deleting: spec.deleting }));
    });
    orphans.forEach((orphan, index) =>
      snapshots.push(
        snapshotObject({
          name: `${orphan.byHand ? 'manual' : 'gone'}-${index}`,
          backupName: orphan.byHand ? null : `gone-${index}`,
          cluster: orphan.cluster,
          createdAt: NOW.getTime() - orphan.ageMinutes * 60_000,
          ...(orphan.markedFor !== undefined && { markedFor: orphan.markedFor }),
          deleting: orphan.deleting,
        }),
      ),
    );
    const snapshotName = (n: number) => (snapshots.length > 0 ? snapshots[n % snapshots.length]!.metadata.name : 'none');
    const backupName = (n: number) => (backups.length > 0 ? backups[n % backups.length]!.metadata.name : 'none');
    return {
      target: TARGET,
      cluster: CLUSTER,
      backups,
      snapshots,
      clusters: restores.map(({ pick, via, phase }, i) => {
        const source: RecoverySource =
          via === 'backup'
            ? { backup: backupName(pick) }
            : via === 'storage'
              ? { storage: snapshotName(pick) }
              : { storage: `restore-${i}-data`, [via]: snapshotName(pick) };
        return restoreCluster(`restore-${i}`, source, phase);
      }),
      claims: claims.map(({ pick, phase, field }, i) => restoringClaim(`claim-${i}`, snapshotName(pick), { phase, field })),
      policy,
      now: NOW,
    };
  });
