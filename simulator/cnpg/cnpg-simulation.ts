import type { VirtualClock } from '../virtual-clock';
import type { ObjectStore } from '../kube-api-server/object-store';
import { resourceTypeOf } from '../kube-api-server/resource-registry';
import { BackupController, type VolumeSnapshotConfiguration } from './backup-controller';
import { ClusterBehaviours, type ClusterBehaviour } from './cluster-behaviour';
import { ClusterBootstrapController, type SimulatedApplicationDatabase } from './cluster-bootstrap-controller';
import { ClusterData, type QueryResult } from './cluster-data';
import { SimulatedWrites } from './simulated-writes';
import { SnapshotController } from './snapshot-controller';
import { SimulatedStorageProvider } from './storage-provider';
import { PsqlJobController } from '../kubelet/psql-job-controller';
import { NamespaceController } from '../kube-api-server/namespace-controller';
import { obj } from './simulated-writes';
import { ClusterPhase } from './upstream-strings';

/**
 * The CNPG operator and the CSI snapshot controller (with kube-controller-manager's namespace controller, whose
 * deletions they finish), simulated on the virtual clock: CNPG 1.30's volume-snapshot
 * backup (BackupController, SnapshotController) and cluster bootstrap (ClusterBootstrapController), with the clusters'
 * data (ClusterData) and the Kubernetes Jobs that query it with psql (PsqlJobController). Every transition
 * is stamped with the virtual time it is due at, even when the simulation catches up later in one step, so durations
 * and recovery times are exact.
 */
export class CnpgSimulation {
  private readonly behaviours = new ClusterBehaviours();
  private readonly bootstrap: ClusterBootstrapController;
  private readonly backups: BackupController;
  private readonly snapshots: SnapshotController;
  private readonly jobs: PsqlJobController;
  private readonly namespaces: NamespaceController;
  /** The data each cluster holds, in an embedded PostgreSQL. */
  readonly data: ClusterData;

  constructor(
    private readonly store: ObjectStore,
    private readonly clock: VirtualClock,
    private readonly storage: SimulatedStorageProvider = new SimulatedStorageProvider(),
  ) {
    const writes = new SimulatedWrites(store);
    this.data = new ClusterData(storage);
    this.snapshots = new SnapshotController(writes, this.data, storage);
    this.bootstrap = new ClusterBootstrapController(writes, this.behaviours, this.data, (snapshot) => this.snapshots.storageOf(snapshot));
    this.jobs = new PsqlJobController(writes, this.data);
    this.namespaces = new NamespaceController(store);
    this.backups = new BackupController(writes, this.snapshots, this.behaviours, (cluster) => this.bootstrap.availableSince(cluster));
  }

  /** Overrides durations or injects failures for one cluster (by namespace and name, also before it exists). */
  configure(namespace: string, clusterName: string, behaviour: Partial<ClusterBehaviour>): void {
    this.behaviours.set(namespace, clusterName, behaviour);
    this.reconcile();
  }

  behaviourOf(namespace: string, clusterName: string): ClusterBehaviour {
    return this.behaviours.of(namespace, clusterName);
  }

  /**
   * The volume-snapshot settings CNPG took a Backup with (GetVolumeSnapshotConfiguration), once it started it: what
   * decides, for instance, whether pg_backup_stop waited for the WAL archive.
   */
  configurationUsedBy(namespace: string, backupName: string): VolumeSnapshotConfiguration | undefined {
    this.reconcile();
    const backup = this.store.get(resourceTypeOf('backups'), namespace, backupName);
    return backup && this.backups.configurationOf(backup);
  }

  /** The storage snapshots (EBS snapshot ids) that exist: a VolumeSnapshotContent with deletionPolicy Delete removes its own. */
  storageSnapshots(): string[] {
    this.reconcile();
    return this.storage.handles();
  }

  /** When a simulated (new or restored) cluster of this name last became healthy, in virtual time. */
  readyAt(namespace: string, clusterName: string): Date | undefined {
    this.reconcile();
    const readyAt = this.bootstrap.readyAt(namespace, clusterName);
    return readyAt === undefined ? undefined : new Date(readyAt);
  }

  /** The application database CNPG set up for a cluster it bootstrapped: name, owner, Secret, and whose data it holds. */
  applicationDatabase(namespace: string, clusterName: string): SimulatedApplicationDatabase | undefined {
    this.reconcile();
    return this.bootstrap.applicationDatabase(namespace, clusterName);
  }

  /**
   * Runs SQL in a cluster's application database, as a client of its `-rw` service would (one connection, the
   * statements in order). The primary serves once the cluster is healthy (docs/src/service_management.md: `-rw`
   * points to the primary); a cluster seeded healthy starts with an empty database, as after initdb.
   */
  async sql(namespace: string, clusterName: string, sql: string): Promise<QueryResult[]> {
    this.reconcile();
    const cluster = this.store.get(resourceTypeOf('clusters'), namespace, clusterName);
    if (!cluster) throw new Error(`No cluster ${namespace}/${clusterName}`);
    if (obj(cluster.status).phase !== ClusterPhase.Healthy)
      throw new Error(`cluster ${namespace}/${clusterName} is not healthy: its primary accepts no connections yet`);
    this.data.bootstrap(cluster.metadata.uid);
    return this.data.execute(cluster.metadata.uid, sql);
  }

  /** Resolves once every database operation asked for so far (writes, captures, restores) has ended. */
  async settled(): Promise<void> {
    await this.jobs.settled();
    await this.data.settled();
  }

  /** Applies every transition due up to now; clusters and backups depend on each other, so until nothing moves. */
  reconcile(): void {
    const now = this.clock.nowMs();
    for (let progressed = true; progressed;) {
      const clusters = this.bootstrap.reconcile(now);
      const backups = this.backups.reconcile(now);
      const imports = this.snapshots.bindPreProvisioned(now);
      const deletions = this.snapshots.reconcileDeletions();
      const jobs = this.jobs.reconcile(now);
      const namespaces = this.namespaces.reconcile();
      progressed = clusters || backups || imports || deletions || jobs || namespaces;
    }
    this.backups.holdOtherMethods();
    if (this.data.holdsAny())
      this.data.prune(
        new Set(this.store.list(resourceTypeOf('clusters')).map((cluster) => cluster.metadata.uid)),
        new Set(this.storage.sizes.keys()),
      );
  }
}
