import type { StoredObject } from '../kube-api-server/object-store';
import { resourceTypeOf, type ResourceType } from '../kube-api-server/resource-registry';
import type { ClusterBehaviour, ClusterBehaviours } from './cluster-behaviour';
import type { ClusterData } from './cluster-data';
import { jobAttempts, DEFAULT_BACKOFF_LIMIT } from './recovery-job-attempts';
import { at, ms, obj, seconds, str, type Json, type SimulatedWrites } from './simulated-writes';
import { imageOf, majorOfImage } from './cluster-image';
import { Annotation, BackupPhase, ClusterPhase, JobRole, Label, PvcRole, SNAPSHOT_API_GROUP } from './upstream-strings';

const CLUSTERS = resourceTypeOf('clusters');
const BACKUPS = resourceTypeOf('backups');
const SNAPSHOTS = resourceTypeOf('volumesnapshots');
const PVCS = resourceTypeOf('persistentvolumeclaims');
const JOBS = resourceTypeOf('jobs');
const SECRETS = resourceTypeOf('secrets');
const SERVICE_ACCOUNTS = resourceTypeOf('serviceaccounts');

/** Kubernetes validates a pod's hostname as a DNS-1123 label (at most 63); CNPG sets the Job's name as its pod's hostname. */
const HOSTNAME_MAX = 63;
/** external-snapshotter pkg/utils/util.go: VolumeSnapshotAsSourceFinalizer. */
const AS_SOURCE_FINALIZER = 'snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection';

interface BootstrapTimeline {
  /** Set once the bootstrap had to wait (data source, ServiceAccount); setup then starts when the wait ends. */
  waited?: boolean;
  setupAt?: number;
  /** The Job could not be created: its name, the pod's hostname, is too long (cloudnative-pg#6753). */
  jobRefused?: boolean;
  readyAt?: number;
}

/** The application database of a simulated cluster, and which cluster's data it holds ('' when created empty). */
export interface SimulatedApplicationDatabase {
  database: string;
  owner: string;
  secret: string;
  /** `<namespace>/<cluster>` whose data the database holds; undefined when it was created empty. */
  dataOf?: string;
}

/**
 * CNPG's bootstrap of a new Cluster (cloudnative-pg internal/controller/cluster_create.go): its ServiceAccount, the
 * data source checked (pkg/reconciler/persistentvolumeclaim/validation.go, VerifyDataSourceCoherence), the first
 * instance's PVCs created from it, the application Secret, and a Job (`<cluster>-1-snapshot-recovery` or `-initdb`,
 * pkg/specs/jobs.go) that prepares the primary, its pods retried by Kubernetes; the cluster turns healthy when a pod
 * of the Job succeeds.
 */
export class ClusterBootstrapController {
  private readonly timelines = new Map<string, BootstrapTimeline>();
  private readonly readyTimes = new Map<string, number>();
  /** Databases per cluster (`<namespace>/<name>`): name -> the cluster whose data it holds, '' when created empty. */
  private readonly databases = new Map<string, Map<string, string>>();

  constructor(
    private readonly writes: SimulatedWrites,
    private readonly behaviours: ClusterBehaviours,
    private readonly data: ClusterData,
    /** The storage snapshot a bound VolumeSnapshot holds (the CSI snapshot controller's record). */
    private readonly storageOf: (snapshot: StoredObject) => string | undefined,
  ) {}

  /** When a simulated (new or restored) cluster of this name last became healthy. */
  readyAt(namespace: string, clusterName: string): number | undefined {
    return this.readyTimes.get(`${namespace}/${clusterName}`);
  }

  /** The application database CNPG set up for a cluster it bootstrapped, or undefined before setup. */
  applicationDatabase(namespace: string, clusterName: string): SimulatedApplicationDatabase | undefined {
    const cluster = this.writes.store.get(CLUSTERS, namespace, clusterName);
    const databases = this.databases.get(`${namespace}/${clusterName}`);
    if (!cluster || !databases) return undefined;
    const { database, owner } = applicationDatabaseOf(obj(cluster.spec));
    const dataOf = databases.get(database);
    return { database, owner, secret: applicationSecretName(cluster), ...(dataOf && { dataOf }) };
  }

  /** When the cluster first had a ready pod: its readiness if simulated, its creation if seeded healthy. */
  availableSince(cluster: StoredObject): number | undefined {
    const simulated = this.timelines.get(cluster.metadata.uid);
    if (simulated) return simulated.readyAt;
    return obj(cluster.status).phase === ClusterPhase.Healthy ? ms(cluster.metadata.creationTimestamp) : undefined;
  }

  /** Applies what is due by `now`; true when anything changed. */
  reconcile(now: number): boolean {
    let progressed = false;
    for (const cluster of this.writes.store.list(CLUSTERS)) {
      progressed = this.ensureServiceAccount(cluster) || progressed;
      progressed = this.reconcileCluster(cluster, now) || progressed;
    }
    return progressed;
  }

  /**
   * internal/controller/cluster_create.go, createOrPatchServiceAccount: without spec.serviceAccountName CNPG creates
   * a ServiceAccount named after the cluster, owned by it, with the metadata of spec.serviceAccountTemplate.
   */
  private ensureServiceAccount(cluster: StoredObject): boolean {
    const spec = obj(cluster.spec);
    const namespace = cluster.metadata.namespace!;
    if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '') return false;
    if (this.writes.store.get(SERVICE_ACCOUNTS, namespace, cluster.metadata.name)) return false;
    const template = obj(obj(spec.serviceAccountTemplate).metadata);
    this.writes.store.insert(SERVICE_ACCOUNTS, {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: {
        name: cluster.metadata.name,
        namespace,
        labels: { 'app.kubernetes.io/managed-by': 'cloudnative-pg', ...(obj(template.labels) as Record<string, string>) },
        ...(template.annotations !== undefined && { annotations: obj(template.annotations) as Record<string, string> }),
        ownerReferences: [ownerReference(cluster)],
      },
    });
    return true;
  }

  /** A cluster created without status (through the API, or seeded bare) is bootstrapped; a seeded status is kept. */
  private reconcileCluster(cluster: StoredObject, now: number): boolean {
    let timeline = this.timelines.get(cluster.metadata.uid);
    if (!timeline) {
      if (obj(cluster.status).phase !== undefined) return false;
      timeline = {};
      this.timelines.set(cluster.metadata.uid, timeline);
    }
    if (timeline.readyAt !== undefined) return false;
    let progressed = false;
    if (timeline.setupAt === undefined) {
      const source = this.hasServiceAccount(cluster) ? this.dataSource(cluster) : 'wait';
      if (source === 'wait') {
        timeline.waited = true; // CNPG requeues: no phase
        return false;
      }
      timeline.setupAt = Math.max(ms(cluster.metadata.creationTimestamp), source.readyAt ?? Number.NEGATIVE_INFINITY);
      if (timeline.waited && source.readyAt === undefined) timeline.setupAt = Math.max(timeline.setupAt, Math.floor(now / 1000) * 1000);
      this.startSetup(cluster, timeline, source.volumes, timeline.setupAt);
      progressed = true;
    }
    return this.advanceSetup(cluster, timeline, now) || progressed;
  }

  /** internal/controller/cluster_create.go, validateExistingServiceAccount: a named ServiceAccount must exist. */
  private hasServiceAccount(cluster: StoredObject): boolean {
    const named = obj(cluster.spec).serviceAccountName;
    return (
      typeof named !== 'string' || named === '' || this.writes.store.get(SERVICE_ACCOUNTS, cluster.metadata.namespace, named) !== undefined
    );
  }

  /**
   * The PVC data sources of a bootstrap, or 'wait' while CNPG would requeue: snapshots that do not pass
   * VerifyDataSourceCoherence, or a recovery Backup that is not completed yet (then `readyAt` is its end).
   */
  private dataSource(cluster: StoredObject): 'wait' | { volumes: Record<string, unknown>; readyAt?: number } {
    const namespace = cluster.metadata.namespace!;
    const recovery = obj(obj(obj(cluster.spec).bootstrap).recovery);
    const snapshots = obj(recovery.volumeSnapshots);
    if (Object.keys(snapshots).length > 0) return this.coherent(namespace, snapshots) ? { volumes: snapshots } : 'wait';
    const backupName = obj(recovery.backup).name;
    if (backupName === undefined) return { volumes: {} };
    const backup = this.writes.store.get(BACKUPS, namespace, str(backupName));
    if (obj(backup?.status).phase !== BackupPhase.Completed) return 'wait';
    const volumes: Record<string, unknown> = {};
    for (const element of (obj(obj(backup!.status).snapshotBackupStatus).elements as Array<{ name: string; type: string }> | undefined) ??
      []) {
      const ref = { name: element.name, kind: 'VolumeSnapshot', apiGroup: SNAPSHOT_API_GROUP };
      if (element.type === PvcRole.PgData) volumes.storage = ref;
      if (element.type === PvcRole.PgWal) volumes.walStorage = ref;
    }
    return { volumes, readyAt: ms(obj(backup!.status).stoppedAt) };
  }

  /**
   * The bootstrap Job's command (pkg/specs/jobs.go): `instance restoresnapshot` for a snapshot recovery, passing the
   * PGDATA source snapshot's backup_label and tablespace_map annotations as flags
   * (CreatePrimaryJobViaRestoreSnapshot, with the metadata internal/controller/cluster_create.go reads from the data
   * source); `instance init` otherwise. Common flags (app database, owner, ...) are left out.
   */
  private bootstrapCommand(namespace: string, jobRole: string, dataSource: unknown): string[] {
    if (jobRole !== JobRole.SnapshotRecovery) return ['/controller/manager', 'instance', 'init'];
    const annotations = this.writes.store.get(SNAPSHOTS, namespace, String(obj(dataSource).name))?.metadata.annotations ?? {};
    const flags = [
      ...(annotations[Annotation.BackupLabelFile] ? [`--backuplabel=${annotations[Annotation.BackupLabelFile]}`] : []),
      ...(annotations[Annotation.BackupTablespaceMapFile] ? [`--tablespacemap=${annotations[Annotation.BackupTablespaceMapFile]}`] : []),
    ];
    return ['/controller/manager', 'instance', 'restoresnapshot', ...flags];
  }

  /** pkg/reconciler/persistentvolumeclaim/validation.go: existence, pvcRole, and one backupName for PGDATA and WAL. */
  private coherent(namespace: string, snapshots: Json): boolean {
    const lookup = (ref: unknown, role: string): StoredObject | undefined | 'incoherent' => {
      if (ref === undefined) return undefined;
      const source = obj(ref);
      const type: ResourceType = source.kind === 'PersistentVolumeClaim' ? PVCS : SNAPSHOTS;
      const object = this.writes.store.get(type, namespace, String(source.name));
      if (!object) return 'incoherent'; // "the volume doesn't exist"
      const actual = object.metadata.labels?.[Label.PvcRole] ?? object.metadata.annotations?.[Label.PvcRole] ?? '';
      return actual !== '' && actual !== role ? 'incoherent' : object; // an empty role is only a warning
    };
    const data = lookup(snapshots.storage, PvcRole.PgData);
    const wal = lookup(snapshots.walStorage, PvcRole.PgWal);
    if (data === 'incoherent' || wal === 'incoherent' || data === undefined) return false;
    return wal === undefined || wal.metadata.labels?.[Label.BackupName] === data.metadata.labels?.[Label.BackupName];
  }

  private startSetup(cluster: StoredObject, timeline: BootstrapTimeline, sources: Record<string, unknown>, time: number): void {
    const namespace = cluster.metadata.namespace!;
    const name = cluster.metadata.name;
    const spec = obj(cluster.spec);
    const owner = [ownerReference(cluster)];
    const claims: Array<[string, string, Json, unknown]> = [[`${name}-1`, PvcRole.PgData, obj(spec.storage), sources.storage]];
    if (spec.walStorage) claims.push([`${name}-1-wal`, PvcRole.PgWal, obj(spec.walStorage), sources.walStorage]);
    for (const claim of claims) {
      const [claimName, role, storage, source] = claim;
      if (this.writes.store.get(PVCS, namespace, claimName)) continue;
      this.writes.store.insert(PVCS, {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: claimName,
          namespace,
          creationTimestamp: at(time),
          labels: { [Label.Cluster]: name, [Label.InstanceName]: `${name}-1`, [Label.PvcRole]: role },
          annotations: { [Annotation.NodeSerial]: '1', [Annotation.PvcStatus]: 'initializing' },
          ownerReferences: owner,
        },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: str(storage.size, '1Gi') } },
          ...(typeof storage.storageClass === 'string' && { storageClassName: storage.storageClass }),
          ...(source !== undefined && { dataSource: source }),
        },
        status: { phase: 'Pending' },
      });
    }
    this.setUpApplicationDatabase(cluster, sources, time);
    const jobRole = sources.storage !== undefined ? JobRole.SnapshotRecovery : JobRole.InitDb;
    const jobName = `${name}-1-${jobRole}`;
    // pkg/specs/jobs.go CreatePrimaryJob sets the Job's name as its pod's Hostname; Kubernetes refuses a Job whose pod
    // hostname is not a DNS-1123 label of at most 63, and CNPG retries for ever (cloudnative-pg#6753).
    if (jobName.length > HOSTNAME_MAX) timeline.jobRefused = true;
    else
      this.writes.store.insert(JOBS, {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: {
          name: jobName,
          namespace,
          creationTimestamp: at(time),
          labels: { [Label.Cluster]: name, [Label.JobRole]: jobRole, [Label.InstanceName]: `${name}-1` },
          ownerReferences: owner,
        },
        // No backoffLimit: CreatePrimaryJob sets none, and the API server defaults it to 6.
        spec: {
          backoffLimit: DEFAULT_BACKOFF_LIMIT,
          template: {
            metadata: { labels: { [Label.JobRole]: jobRole } },
            spec: {
              hostname: jobName,
              serviceAccountName: serviceAccountOf(cluster),
              containers: [{ name: jobRole, command: this.bootstrapCommand(namespace, jobRole, sources.storage) }],
            },
          },
        },
        status: { active: 1, startTime: at(time) },
      });
    this.writes.setStatus(CLUSTERS, cluster, {
      phase: ClusterPhase.SettingUpPrimary,
      phaseReason: `Creating primary instance ${name}-1`,
      image: imageOf(spec),
      instances: 1,
      readyInstances: 0,
      targetPrimary: `${name}-1`,
      conditions: [
        { type: 'Ready', status: 'False', reason: 'ClusterIsNotReady', message: 'Cluster Is Not Ready', lastTransitionTime: at(time) },
        { type: 'Initialized', status: 'False', reason: 'BootstrapPending', message: 'Bootstrap pending', lastTransitionTime: at(time) },
      ],
    });
  }

  /**
   * The application database and its Secret. initdb creates the database; a recovery brings the source's databases
   * and, after it, creates the application database when the data has none of that name (docs/src/recovery.md,
   * "Configure the application database"). CNPG creates the Secret `<cluster>-app` for the owner unless the
   * bootstrap names one (api/v1/cluster_funcs.go, GetApplicationSecretName).
   */
  private setUpApplicationDatabase(cluster: StoredObject, sources: Record<string, unknown>, time: number): void {
    const namespace = cluster.metadata.namespace!;
    const key = `${namespace}/${cluster.metadata.name}`;
    const { database, owner } = applicationDatabaseOf(obj(cluster.spec));
    const databases =
      sources.storage !== undefined ? this.dataOfSnapshot(namespace, String(obj(sources.storage).name)) : new Map<string, string>();
    if (sources.storage === undefined) databases.set(database, key);
    if (!databases.has(database)) databases.set(database, '');
    this.databases.set(key, databases);
    // The first instance's data volume is provisioned from the PGDATA snapshot (its content then), or empty for initdb.
    const dataSnapshot =
      sources.storage === undefined ? undefined : this.writes.store.get(SNAPSHOTS, namespace, String(obj(sources.storage).name));
    this.data.bootstrap(cluster.metadata.uid, dataSnapshot && this.storageOf(dataSnapshot));
    const secret = applicationSecretName(cluster);
    if (secret !== `${cluster.metadata.name}-app` || this.writes.store.get(SECRETS, namespace, secret)) return;
    const base64 = (text: string) => Buffer.from(text).toString('base64');
    const password = base64(cluster.metadata.uid).slice(0, 24);
    const host = `${cluster.metadata.name}-rw`;
    this.writes.store.insert(SECRETS, {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/basic-auth',
      metadata: {
        name: secret,
        namespace,
        creationTimestamp: at(time),
        labels: { [Label.Cluster]: cluster.metadata.name, 'cnpg.io/userType': 'app' },
        ownerReferences: [ownerReference(cluster)],
      },
      data: {
        username: base64(owner),
        password: base64(password),
        dbname: base64(database),
        host: base64(host),
        port: base64('5432'),
        uri: base64(`postgresql://${owner}:${password}@${host}.${namespace}:5432/${database}`),
      },
    });
  }

  /** The databases a snapshot holds: those of the cluster it was taken of, as simulated, else as its recorded spec says. */
  private dataOfSnapshot(namespace: string, snapshotName: string): Map<string, string> {
    const snapshot = this.writes.store.get(SNAPSHOTS, namespace, snapshotName);
    const sourceKey = `${namespace}/${snapshot?.metadata.labels?.[Label.Cluster] ?? ''}`;
    const known = this.databases.get(sourceKey);
    if (known) return new Map(known);
    let recorded: Json = {};
    try {
      recorded = obj(JSON.parse(snapshot?.metadata.annotations?.[Annotation.ClusterManifest] ?? '{}'));
    } catch {
      recorded = {};
    }
    return new Map([[applicationDatabaseOf(obj(recorded.spec)).database, sourceKey]]);
  }

  private advanceSetup(cluster: StoredObject, timeline: BootstrapTimeline, now: number): boolean {
    if (timeline.jobRefused) return false;
    const behaviour = this.behaviours.of(cluster.metadata.namespace!, cluster.metadata.name);
    const setupAt = timeline.setupAt!;
    const boundAt = setupAt + seconds(behaviour.restoreSeconds) / 10;
    const failAt = setupAt + seconds(behaviour.restoreSeconds) / 2;
    let progressed = now >= boundAt && this.bindClaims(cluster);
    if (now >= boundAt && this.unboundClaims(cluster)) return progressed; // the Job's pod waits for its volumes
    if (behaviour.restoreFailure === 'never-ready' || now < failAt) return progressed;
    if (behaviour.restoreFailure === 'unrecoverable') {
      if (obj(cluster.status).phase !== ClusterPhase.Unrecoverable)
        progressed = this.writes.setStatus(CLUSTERS, cluster, {
          phase: ClusterPhase.Unrecoverable,
          phaseReason: 'Primary instance could not be restored',
        });
      return progressed;
    }
    const job = this.writes.store.get(JOBS, cluster.metadata.namespace, `${cluster.metadata.name}-1-${jobRoleOf(cluster)}`);
    const attempts = jobAttempts({
      startAt: setupAt,
      failingPods: this.failingPods(cluster, behaviour),
      failAfterMs: seconds(behaviour.restoreSeconds) / 2,
      runMs: seconds(behaviour.restoreSeconds),
      backoffLimit: Number(obj(job?.spec).backoffLimit ?? DEFAULT_BACKOFF_LIMIT),
      now,
    });
    if (job && attempts.failed !== Number(obj(job.status).failed ?? 0))
      progressed =
        this.writes.update(JOBS, job, {
          status: {
            startTime: obj(job.status).startTime,
            failed: attempts.failed,
            ...(attempts.failedAt === undefined
              ? { active: 1 }
              : {
                  conditions: [
                    { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', lastTransitionTime: at(attempts.failedAt) },
                  ],
                }),
          },
        }) || progressed;
    if (attempts.failedAt !== undefined || attempts.succeedsAt === undefined || now < attempts.succeedsAt) return progressed;
    const doneAt = attempts.succeedsAt;
    timeline.readyAt = doneAt;
    this.readyTimes.set(`${cluster.metadata.namespace!}/${cluster.metadata.name}`, doneAt);
    const current = job && this.writes.store.get(JOBS, job.metadata.namespace, job.metadata.name);
    if (current)
      this.writes.update(JOBS, current, {
        status: {
          startTime: obj(current.status).startTime,
          ...(attempts.failed > 0 && { failed: attempts.failed }),
          succeeded: 1,
          completionTime: at(doneAt),
          conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: at(doneAt) }],
        },
      });
    const instances = Number(obj(cluster.spec).instances ?? 1);
    return this.writes.setStatus(CLUSTERS, cluster, {
      phase: ClusterPhase.Healthy,
      phaseReason: '',
      instances,
      readyInstances: instances,
      currentPrimary: `${cluster.metadata.name}-1`,
      targetPrimary: `${cluster.metadata.name}-1`,
      conditions: [
        { type: 'Ready', status: 'True', reason: 'ClusterIsReady', message: 'Cluster is Ready', lastTransitionTime: at(doneAt) },
        {
          type: 'Initialized',
          status: 'True',
          reason: 'BootstrapCompleted',
          message: 'Cluster is initialized',
          lastTransitionTime: at(doneAt),
        },
      ],
    });
  }

  /**
   * How many pods of the bootstrap Job fail before one succeeds (Infinity: all of them). Every pod fails when the
   * data is of another PostgreSQL major version than the image (PostgreSQL refuses such a data directory:
   * src/backend/utils/init/miscinit.c, ValidatePgVersion), or when the recovery reads a WAL archive whose IAM role
   * does not trust the ServiceAccount the pod runs under (IRSA and EKS Pod Identity name the account).
   */
  private failingPods(cluster: StoredObject, behaviour: ClusterBehaviour): number {
    if (behaviour.restoreFailure === 'job-failed') return Number.POSITIVE_INFINITY;
    const spec = obj(cluster.spec);
    const namespace = cluster.metadata.namespace!;
    const recovery = obj(obj(spec.bootstrap).recovery);
    const data = obj(obj(recovery.volumeSnapshots).storage);
    if (typeof data.name === 'string') {
      const snapshot = this.writes.store.get(SNAPSHOTS, namespace, data.name);
      const dataMajor = snapshot?.metadata.labels?.[Label.MajorVersion];
      if (dataMajor !== undefined && Number(dataMajor) !== majorOfImage(imageOf(spec))) return Number.POSITIVE_INFINITY;
    }
    if (typeof recovery.source === 'string') {
      const origin = obj((spec.externalClusters as Json[] | undefined)?.find((c) => c.name === recovery.source));
      const serverName = obj(obj(origin.plugin).parameters).serverName ?? obj(origin.barmanObjectStore).serverName;
      const archiveOf = typeof serverName === 'string' ? serverName : undefined;
      const trusted = archiveOf === undefined ? undefined : this.behaviours.of(namespace, archiveOf).archiveReaders;
      if (trusted && !trusted.includes(serviceAccountOf(cluster))) return Number.POSITIVE_INFINITY;
    }
    return behaviour.recoveryPodFailures ?? 0;
  }

  private bindClaims(cluster: StoredObject): boolean {
    let bound = false;
    for (const claim of this.claimsOf(cluster))
      if (obj(claim.status).phase === 'Pending' && this.provisionable(claim))
        bound = this.writes.update(PVCS, claim, { status: { phase: 'Bound', accessModes: ['ReadWriteOnce'] } }) || bound;
    return bound;
  }

  private unboundClaims(cluster: StoredObject): boolean {
    return this.claimsOf(cluster).some((claim) => obj(claim.status).phase === 'Pending');
  }

  private claimsOf(cluster: StoredObject): StoredObject[] {
    return this.writes.store
      .list(PVCS, cluster.metadata.namespace)
      .filter((c) => c.metadata.labels?.[Label.Cluster] === cluster.metadata.name);
  }

  /**
   * external-provisioner pkg/controller/controller.go, getSnapshotSource: a volume is provisioned from a snapshot
   * that exists, is readyToUse, and is not being deleted (unless provisioning from it had already begun, which the
   * as-source finalizer shows); otherwise the claim stays Pending and provisioning is retried.
   */
  private provisionable(claim: StoredObject): boolean {
    const source = obj(obj(claim.spec).dataSource);
    if (source.kind !== 'VolumeSnapshot') return true;
    const snapshot = this.writes.store.get(SNAPSHOTS, claim.metadata.namespace, String(source.name));
    if (!snapshot) return false;
    const metadata = snapshot.metadata as StoredObject['metadata'] & { deletionTimestamp?: string; finalizers?: string[] };
    if (metadata.deletionTimestamp !== undefined && !(metadata.finalizers ?? []).includes(AS_SOURCE_FINALIZER)) return false;
    return obj(snapshot.status).readyToUse === true;
  }
}

function ownerReference(cluster: StoredObject) {
  return {
    apiVersion: cluster.apiVersion,
    kind: cluster.kind,
    name: cluster.metadata.name,
    uid: cluster.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function jobRoleOf(cluster: StoredObject): string {
  const recovery = obj(obj(obj(cluster.spec).bootstrap).recovery);
  return recovery.volumeSnapshots !== undefined || recovery.backup !== undefined ? JobRole.SnapshotRecovery : JobRole.InitDb;
}

/** api/v1/cluster_funcs.go GetServiceAccountName: spec.serviceAccountName, else the cluster's name. */
function serviceAccountOf(cluster: StoredObject): string {
  const named = obj(cluster.spec).serviceAccountName;
  return typeof named === 'string' && named !== '' ? named : cluster.metadata.name;
}

/**
 * api/v1/cluster_funcs.go GetApplicationDatabaseName / GetApplicationDatabaseOwner with the defaults of
 * api/v1/cluster_defaults.go (defaultInitDB, defaultRecovery): `app`, owned by a user of the database's name.
 */
function applicationDatabaseOf(spec: Json): { database: string; owner: string } {
  const bootstrap = obj(spec.bootstrap);
  const method = [bootstrap.recovery, bootstrap.pg_basebackup, bootstrap.initdb].map(obj).find((m) => Object.keys(m).length > 0) ?? {};
  const database = typeof method.database === 'string' && method.database !== '' ? method.database : 'app';
  return { database, owner: typeof method.owner === 'string' && method.owner !== '' ? method.owner : database };
}

/** api/v1/cluster_funcs.go GetApplicationSecretName: the bootstrap's secret, else `<cluster>-app`. */
function applicationSecretName(cluster: StoredObject): string {
  const bootstrap = obj(obj(cluster.spec).bootstrap);
  for (const method of [bootstrap.recovery, bootstrap.pg_basebackup, bootstrap.initdb]) {
    const name = obj(obj(method).secret).name;
    if (typeof name === 'string' && name !== '') return name;
  }
  return `${cluster.metadata.name}-app`;
}
