import { DEFAULT_IMAGE, majorOfImage, majorVersionOfCluster } from './cluster-image';
import type { StoredObject } from '../kube-api-server/object-store';
import { resourceTypeOf } from '../kube-api-server/resource-registry';
import type { ClusterData } from './cluster-data';
import type { SimulatedStorageProvider } from './storage-provider';
import { at, obj, str, type Json, type SimulatedWrites } from './simulated-writes';
import {
  Annotation,
  Label,
  PvcRole,
  SNAPSHOT_API_GROUP,
  SNAPSHOT_API_VERSION,
  SnapshotFinalizer,
  VOLUME_SNAPSHOT_BEING_DELETED,
} from './upstream-strings';

const SNAPSHOTS = resourceTypeOf('volumesnapshots');
const CONTENTS = resourceTypeOf('volumesnapshotcontents');
const CLASSES = resourceTypeOf('volumesnapshotclasses');
const CLAIMS = resourceTypeOf('persistentvolumeclaims');
const QUANTITY_UNITS: Record<string, number> = { '': 1, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

interface Volume {
  suffix: string;
  role: string;
  className: unknown;
  tablespace?: string;
}

/**
 * The VolumeSnapshots of a backup: created as CNPG's volume-snapshot reconciler does
 * (cloudnative-pg pkg/reconciler/backup/volumesnapshot/reconciler.go: createSnapshot, enrichSnapshot), then
 * provisioned and made ready as the CSI external-snapshotter reports it (status.boundVolumeSnapshotContentName,
 * creationTime, restoreSize, readyToUse, error), each bound to a VolumeSnapshotContent that records the storage
 * snapshot, and deleted as the external-snapshotter deletes them: held by finalizers until the content (and, with
 * deletionPolicy Delete, the storage snapshot) is gone (pkg/common-controller/snapshot_controller.go).
 */
export class SnapshotController {
  constructor(
    private readonly writes: SimulatedWrites,
    private readonly data: ClusterData,
    /** The storage snapshots (EBS snapshot ids) that exist: contents create them, Delete ones remove them. */
    readonly storage: SimulatedStorageProvider,
  ) {}

  /** The snapshots CNPG created for a backup: those labelled with its name. */
  snapshotsOf(backup: StoredObject): StoredObject[] {
    return this.writes.store
      .list(SNAPSHOTS, backup.metadata.namespace)
      .filter((s) => s.metadata.labels?.[Label.BackupName] === backup.metadata.name);
  }

  /** One snapshot per volume of the target pod: `<backup>`, `<backup>-wal`, `<backup>-tbs-<tablespace>`. */
  create(backup: StoredObject, cluster: StoredObject, podName: string, time: number): void {
    const spec = obj(cluster.spec);
    const stanza = obj(obj(spec.backup).volumeSnapshot);
    const clusterName = cluster.metadata.name;
    const major = String(majorVersionOf(cluster));
    const day = at(time).slice(0, 10).replaceAll('-', '');
    const primary = str(obj(cluster.status).currentPrimary, `${clusterName}-1`);
    const instanceRole = podName === primary ? 'primary' : 'replica';
    // api/v1/cluster_types.go SnapshotOwnerReference: none (default), backup, cluster.
    const owner = stanza.snapshotOwnerReference === 'backup' ? backup : stanza.snapshotOwnerReference === 'cluster' ? cluster : undefined;
    const volumes: Volume[] = [{ suffix: '', role: PvcRole.PgData, className: stanza.className }];
    if (spec.walStorage) volumes.push({ suffix: '-wal', role: PvcRole.PgWal, className: stanza.walClassName ?? stanza.className });
    for (const { name } of (spec.tablespaces as Array<{ name: string }> | undefined) ?? [])
      volumes.push({
        suffix: `-tbs-${tablespaceVolumeName(name)}`,
        role: PvcRole.PgTablespace,
        className: obj(stanza.tablespaceClassName)[name] ?? stanza.className,
        tablespace: name,
      });
    for (const volume of volumes) {
      const name = `${backup.metadata.name}${volume.suffix}`;
      if (this.writes.store.get(SNAPSHOTS, backup.metadata.namespace, name)) continue; // adopted, as CNPG adopts AlreadyExists
      const snapshot = this.writes.store.insert(SNAPSHOTS, {
        apiVersion: SNAPSHOT_API_VERSION,
        kind: 'VolumeSnapshot',
        metadata: {
          name,
          namespace: backup.metadata.namespace!,
          creationTimestamp: at(time),
          // checkandAddSnapshotFinalizers: the as-source finalizer on every snapshot from its first sync
          // (utils.NeedToAddSnapshotAsSourceFinalizer); the bound one comes with the content.
          finalizers: [SnapshotFinalizer.AsSource],
          // pkg/reconciler/backup/volumesnapshot/reconciler.go, createSnapshot: the PVC's labels, cloned, with the
          // stanza's copied over them; then enrichSnapshot sets its own, over both (so managed-by is always CNPG's).
          labels: {
            [Label.Cluster]: clusterName,
            ...(volume.tablespace !== undefined && { [Label.TablespaceName]: volume.tablespace }),
            ...(obj(stanza.labels) as Record<string, string>),
            'app.kubernetes.io/managed-by': 'cloudnative-pg',
            'app.kubernetes.io/name': 'postgresql',
            'app.kubernetes.io/component': 'database',
            'app.kubernetes.io/instance': clusterName,
            'app.kubernetes.io/version': major,
            [Label.BackupName]: backup.metadata.name,
            [Label.MajorVersion]: major,
            [Label.BackupTimeline]: '1',
            [Label.BackupDate]: day,
            [Label.BackupMonth]: day.slice(0, 6),
            [Label.BackupYear]: day.slice(0, 4),
          },
          // createSnapshot: the PVC's annotations, the stanza's over them, then the PVC's instance and role labels
          // moved over both (transferLabelsToAnnotations); enrichSnapshot's last.
          annotations: {
            [Annotation.NodeSerial]: podName.slice(podName.lastIndexOf('-') + 1),
            [Annotation.PvcStatus]: 'ready',
            ...(obj(stanza.annotations) as Record<string, string>),
            [Annotation.PvcRole]: volume.role,
            [Label.InstanceName]: podName,
            [Annotation.InstanceRole]: instanceRole,
            role: instanceRole,
            // Always "false" in CNPG 1.30.0: read before status.online is set (cloudnative-pg#11276).
            [Annotation.OnlineBackup]: 'false',
            [Annotation.BackupStartWal]: walFile(time),
            [Annotation.BackupEndWal]: walFile(time),
            // enrichSnapshot: the whole Cluster as it was when the backup was taken (json.Marshal of it: status too).
            [Annotation.ClusterManifest]: JSON.stringify({
              apiVersion: cluster.apiVersion,
              kind: cluster.kind,
              metadata: cluster.metadata,
              spec,
              ...(cluster.status !== undefined && { status: cluster.status }),
            }),
          },
          ...(owner && {
            ownerReferences: [
              {
                apiVersion: owner.apiVersion,
                kind: owner.kind,
                name: owner.metadata.name,
                uid: owner.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }),
        },
        spec: {
          source: { persistentVolumeClaimName: `${podName}${volume.suffix}` },
          ...(typeof volume.className === 'string' && { volumeSnapshotClassName: volume.className }),
        },
      });
      // The data volume's content as it is now, when CNPG requests the snapshot (reconciler.go, createSnapshot).
      // Kept by storage snapshot, so whatever imports that storage later restores the same data.
      if (volume.role === PvcRole.PgData) this.data.capture(storageHandleOf(snapshot), cluster.metadata.uid);
    }
  }

  /** The CSI driver cut the snapshots: bound to a content, sized, not ready yet; CNPG stamps the snapshot times. */
  provision(snapshots: StoredObject[], cluster: StoredObject | undefined, provisionedAt: number): void {
    const spec = obj(cluster?.spec);
    const dataSize = str(obj(spec.storage).size, '1Gi');
    const sizes: Record<string, string> = {
      [PvcRole.PgData]: dataSize,
      [PvcRole.PgWal]: str(obj(spec.walStorage).size, dataSize),
    };
    for (const snapshot of snapshots) {
      const annotations = snapshot.metadata.annotations ?? {};
      const tablespace = snapshot.metadata.labels?.[Label.TablespaceName];
      const tablespaceSize = (spec.tablespaces as Array<{ name: string; storage?: { size?: string } }> | undefined)?.find(
        (t) => t.name === tablespace,
      )?.storage?.size;
      const restoreSize = tablespaceSize ?? sizes[annotations[Annotation.PvcRole] ?? ''] ?? dataSize;
      const content = this.createContent(snapshot, provisionedAt, restoreSize);
      // checkandAddSnapshotFinalizers: the bound finalizer only when the content's deletionPolicy is Delete.
      const bound = obj(content.spec).deletionPolicy === 'Delete';
      const current = this.writes.store.get(SNAPSHOTS, snapshot.metadata.namespace, snapshot.metadata.name) ?? snapshot;
      this.writes.update(SNAPSHOTS, current, {
        metadata: {
          ...current.metadata,
          finalizers: [...(current.metadata.finalizers ?? []), ...(bound ? [SnapshotFinalizer.Bound] : [])],
          annotations: {
            ...annotations,
            [Annotation.SnapshotStartTime]: at(provisionedAt),
            [Annotation.SnapshotEndTime]: at(provisionedAt),
          },
        },
        status: {
          boundVolumeSnapshotContentName: contentNameOf(snapshot),
          creationTime: at(provisionedAt),
          readyToUse: false,
          restoreSize,
        },
      });
    }
  }

  /**
   * Every snapshot is readyToUse; CNPG annotates them with the backup's start and end and, for a hot backup, its
   * backup_label (pkg/reconciler/backup/volumesnapshot/reconciler.go, annotateSnapshotsWithBackupData: base64). The
   * storage snapshots are completed at the provider: the EBS CSI driver reports readyToUse once EC2 does.
   */
  markReady(snapshots: StoredObject[], startedAt: number, completedAt: number, backupLabelFile?: string): void {
    for (const snapshot of snapshots) {
      const content = this.writes.store.get(CONTENTS, undefined, contentNameOf(snapshot));
      if (content) this.writes.setStatus(CONTENTS, content, { readyToUse: true });
      if (content) this.storage.complete(String(obj(content.status).snapshotHandle));
      this.writes.update(SNAPSHOTS, snapshot, {
        metadata: {
          ...snapshot.metadata,
          annotations: {
            ...snapshot.metadata.annotations,
            [Annotation.BackupStartTime]: at(startedAt),
            [Annotation.BackupEndTime]: at(completedAt),
            ...(backupLabelFile !== undefined && { [Annotation.BackupLabelFile]: backupLabelFile }),
          },
        },
        status: { ...obj(snapshot.status), readyToUse: true },
      });
    }
  }

  /** The CSI driver reports an error on every snapshot (status.error, as external-snapshotter sets it). */
  fail(snapshots: StoredObject[], message: string, failedAt: number): void {
    for (const snapshot of snapshots)
      this.writes.update(SNAPSHOTS, snapshot, {
        status: { ...obj(snapshot.status), readyToUse: false, error: { message, time: at(failedAt) } },
      });
  }

  /**
   * The VolumeSnapshotContent of a dynamically provisioned snapshot (createSnapshotContent): named
   * `snapcontent-<snapshot uid>` (utils.GetDynamicSnapshotContentNameForSnapshot), its deletionPolicy copied from
   * the class at creation, the storage snapshot's handle and size in its status.
   */
  private createContent(snapshot: StoredObject, createdAt: number, restoreSize: string): StoredObject {
    const name = contentNameOf(snapshot);
    const existing = this.writes.store.get(CONTENTS, undefined, name);
    if (existing) return existing;
    const className = obj(snapshot.spec).volumeSnapshotClassName;
    const snapshotClass = typeof className === 'string' ? this.writes.store.get(CLASSES, undefined, className) : undefined;
    // Not modelled: upstream fails a snapshot whose class is missing (getCreateSnapshotInput); here it is
    // provisioned as a Delete class would, so tests that do not look at classes need not seed one.
    const deletionPolicy = snapshotClass?.deletionPolicy ?? 'Delete';
    const handle = storageHandleOf(snapshot);
    const claim = String(obj(obj(snapshot.spec).source).persistentVolumeClaimName);
    this.storage.cut(handle, bytesOf(restoreSize), createdAt, `vol-${claim}`);
    return this.writes.store.insert(CONTENTS, {
      apiVersion: SNAPSHOT_API_VERSION,
      kind: 'VolumeSnapshotContent',
      // syncContent: NeedToAddContentFinalizer.
      metadata: { name, creationTimestamp: at(createdAt), finalizers: [SnapshotFinalizer.Content] },
      spec: {
        deletionPolicy,
        driver: snapshotClass?.driver ?? 'ebs.csi.aws.com',
        source: { volumeHandle: `vol-${claim}` },
        ...(typeof className === 'string' && { volumeSnapshotClassName: className }),
        volumeSnapshotRef: {
          apiVersion: SNAPSHOT_API_VERSION,
          kind: 'VolumeSnapshot',
          name: snapshot.metadata.name,
          namespace: snapshot.metadata.namespace,
          uid: snapshot.metadata.uid,
        },
      },
      status: {
        snapshotHandle: handle,
        creationTime: createdAt * 1_000_000,
        readyToUse: false,
        restoreSize: bytesOf(restoreSize),
      },
    });
  }

  /**
   * Pre-provisioned snapshots (external-snapshotter docs, "Pre-provisioned snapshot"; pkg/common-controller/
   * snapshot_controller.go): a VolumeSnapshot whose spec.source names a content is bound to it when the content's
   * volumeSnapshotRef names the snapshot (syncUnreadySnapshot, checkandBindSnapshotContent: the ref's uid is filled
   * in), or reports `VolumeSnapshotContent is missing` / a content bound elsewhere in status.error and waits. The
   * csi-snapshotter sidecar fills the content's status from the provider (pkg/sidecar-controller/snapshot_controller.go,
   * createSnapshotWrapper with a snapshotHandle: ListSnapshots): ready with its size when the storage snapshot exists,
   * an error otherwise. The snapshot then takes readyToUse and restoreSize from the content (updateSnapshotStatus),
   * and its finalizers as a dynamic one does. True when anything moved.
   */
  bindPreProvisioned(time: number): boolean {
    let progressed = false;
    for (const snapshot of this.writes.store.list(SNAPSHOTS)) {
      const contentName = obj(obj(snapshot.spec).source).volumeSnapshotContentName;
      if (typeof contentName !== 'string' || snapshot.metadata.deletionTimestamp !== undefined) continue;
      const status = obj(snapshot.status);
      // Bound once; a storage snapshot missing at the provider stays an error on it.
      if (status.boundVolumeSnapshotContentName !== undefined) continue;
      const content = this.writes.store.get(CONTENTS, undefined, contentName);
      const ref = obj(obj(content?.spec).volumeSnapshotRef);
      const misbound =
        content !== undefined &&
        (ref.name !== snapshot.metadata.name ||
          ref.namespace !== snapshot.metadata.namespace ||
          (ref.uid !== undefined && ref.uid !== snapshot.metadata.uid));
      if (!content || misbound) {
        const message = content ? `VolumeSnapshotContent ${contentName} is bound to another snapshot` : 'VolumeSnapshotContent is missing';
        if (obj(status.error).message !== message)
          progressed =
            this.writes.update(SNAPSHOTS, snapshot, { status: { readyToUse: false, error: { message, time: at(time) } } }) || progressed;
        continue;
      }
      const handle = String(obj(obj(content.spec).source).snapshotHandle);
      const exists = this.storage.has(handle);
      this.writes.update(CONTENTS, content, {
        metadata: { ...content.metadata, finalizers: [...new Set([...(content.metadata.finalizers ?? []), SnapshotFinalizer.Content])] },
        spec: { ...obj(content.spec), volumeSnapshotRef: { ...ref, uid: snapshot.metadata.uid } },
        status: exists
          ? { snapshotHandle: handle, creationTime: time * 1_000_000, readyToUse: true, restoreSize: this.storage.sizes.get(handle) }
          : {
              snapshotHandle: handle,
              readyToUse: false,
              error: { message: `snapshot ${handle} does not exist at the provider`, time: at(time) },
            },
      });
      const bound = obj(content.spec).deletionPolicy === 'Delete';
      this.writes.update(SNAPSHOTS, snapshot, {
        metadata: {
          ...snapshot.metadata,
          finalizers: [
            ...new Set([...(snapshot.metadata.finalizers ?? []), SnapshotFinalizer.AsSource, ...(bound ? [SnapshotFinalizer.Bound] : [])]),
          ],
        },
        status: {
          boundVolumeSnapshotContentName: contentName,
          creationTime: at(time),
          readyToUse: exists,
          ...(exists && { restoreSize: quantityOf(this.storage.sizes.get(handle) ?? 0) }),
          ...(!exists && { error: { message: `snapshot ${handle} does not exist at the provider`, time: at(time) } }),
        },
      });
      progressed = true;
    }
    return progressed;
  }

  /** The storage snapshot a bound VolumeSnapshot holds: its content's status.snapshotHandle. */
  storageOf(snapshot: StoredObject): string | undefined {
    const content = this.boundContent(snapshot);
    const handle = obj(content?.status).snapshotHandle;
    return typeof handle === 'string' ? handle : undefined;
  }

  /**
   * Deletions in progress, as processSnapshotWithDeletionTimestamp and checkandRemoveSnapshotFinalizersAndCheckandDeleteContent
   * carry them out: a snapshot a Pending claim is being provisioned from stays (isVolumeBeingCreatedFromSnapshot);
   * otherwise its content is marked as being deleted and, with deletionPolicy Delete, deleted (the sidecar removes
   * the storage snapshot, then the content's finalizer), and the snapshot's finalizers go, the bound one only once
   * the content is gone. With Retain the content and the storage snapshot stay. True when anything moved.
   */
  reconcileDeletions(): boolean {
    let progressed = false;
    for (const content of this.writes.store.list(CONTENTS)) progressed = this.finishContentDeletion(content) || progressed;
    for (const snapshot of this.writes.store.list(SNAPSHOTS)) {
      const finalizers = snapshot.metadata.finalizers ?? [];
      if (snapshot.metadata.deletionTimestamp === undefined || finalizers.length === 0) continue;
      const content = this.boundContent(snapshot);
      if (content && this.isVolumeBeingCreatedFrom(snapshot)) continue;
      const deleteContent = content !== undefined && obj(content.spec).deletionPolicy === 'Delete';
      if (content) {
        this.writes.update(CONTENTS, content, {
          metadata: { ...content.metadata, annotations: { ...content.metadata.annotations, [VOLUME_SNAPSHOT_BEING_DELETED]: 'yes' } },
        });
        if (deleteContent) {
          this.writes.store.delete(CONTENTS, undefined, content.metadata.name);
          this.finishContentDeletion(this.writes.store.get(CONTENTS, undefined, content.metadata.name));
        }
      }
      const contentGone = !deleteContent || this.writes.store.get(CONTENTS, undefined, content.metadata.name) === undefined;
      const kept = finalizers.filter((f) => f !== SnapshotFinalizer.AsSource && (f !== SnapshotFinalizer.Bound || !contentGone));
      if (kept.length === finalizers.length) continue;
      this.writes.update(SNAPSHOTS, snapshot, { metadata: { ...snapshot.metadata, finalizers: kept } });
      progressed = true;
    }
    return progressed;
  }

  /** csi-snapshotter sidecar: a content being deleted with policy Delete deletes the storage snapshot, then releases the content. */
  private finishContentDeletion(content: StoredObject | undefined): boolean {
    if (
      !content ||
      content.metadata.deletionTimestamp === undefined ||
      !(content.metadata.finalizers ?? []).includes(SnapshotFinalizer.Content)
    )
      return false;
    if (obj(content.spec).deletionPolicy === 'Delete') {
      this.storage.remove(String(obj(content.status).snapshotHandle));
    }
    const finalizers = (content.metadata.finalizers ?? []).filter((f) => f !== SnapshotFinalizer.Content);
    this.writes.update(CONTENTS, content, { metadata: { ...content.metadata, finalizers } });
    return true;
  }

  /** The content the snapshot is bound to, if it points back to the snapshot (utils.IsVolumeSnapshotRefSet). */
  private boundContent(snapshot: StoredObject): StoredObject | undefined {
    const name = obj(snapshot.status).boundVolumeSnapshotContentName;
    const content = typeof name === 'string' ? this.writes.store.get(CONTENTS, undefined, name) : undefined;
    const ref = obj(obj(content?.spec).volumeSnapshotRef);
    return ref.name === snapshot.metadata.name && ref.namespace === snapshot.metadata.namespace && ref.uid === snapshot.metadata.uid
      ? content
      : undefined;
  }

  /** isVolumeBeingCreatedFromSnapshot: a Pending claim of the namespace has the snapshot as spec.dataSource. */
  private isVolumeBeingCreatedFrom(snapshot: StoredObject): boolean {
    return this.writes.store.list(CLAIMS, snapshot.metadata.namespace).some((claim) => {
      const source = obj(obj(claim.spec).dataSource);
      return (
        source.name === snapshot.metadata.name &&
        source.kind === 'VolumeSnapshot' &&
        source.apiGroup === SNAPSHOT_API_GROUP &&
        obj(claim.status).phase === 'Pending'
      );
    });
  }
}

const contentNameOf = (snapshot: StoredObject) => `snapcontent-${snapshot.metadata.uid}`;
/** The id the CSI driver gives the storage snapshot it cuts for a VolumeSnapshot (an EBS snapshot id's shape). */
const storageHandleOf = (snapshot: StoredObject) => `snap-${snapshot.metadata.uid.replaceAll('-', '').slice(0, 17)}`;

/** Bytes as the API server prints a binary quantity (resource.NewQuantity(bytes, BinarySI)): `50Gi`, `512Mi`, `1000`. */
function quantityOf(bytes: number): string {
  for (const [unit, size] of [
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ] as const)
    if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

/** A quantity such as `50Gi` in bytes, as the content's status.restoreSize holds it. */
function bytesOf(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(quantity);
  return match ? Number(match[1]) * QUANTITY_UNITS[match[2] ?? '']! : 0;
}

/** The backup's status.snapshotBackupStatus.elements: one per snapshot, with its volume role and tablespace. */
export function snapshotElements(snapshots: StoredObject[]): Json[] {
  return snapshots.map((s) => ({
    name: s.metadata.name,
    type: s.metadata.annotations?.[Annotation.PvcRole],
    ...(s.metadata.labels?.[Label.TablespaceName] !== undefined && { tablespaceName: s.metadata.labels[Label.TablespaceName] }),
  }));
}

/** cloudnative-pg pkg/specs/volumes.go: lower case, `_` to `-`, a leading `_` becomes `1`. */
function tablespaceVolumeName(tablespace: string): string {
  return tablespace.toLowerCase().replace(/^_/, '1').replaceAll('_', '-');
}

/**
 * The major version CNPG records for a backup: that of the image the cluster runs (status.image; the image catalog's
 * major or the image tag; the operator's default image when the cluster pins none).
 */
export function majorVersionOf(cluster: StoredObject): number {
  const catalog = obj(obj(cluster.spec).imageCatalogRef);
  if (typeof catalog.major === 'number') return catalog.major;
  return majorVersionOfCluster(cluster) ?? (majorOfImage(DEFAULT_IMAGE) as number);
}

/** A plausible WAL segment name for a moment (timeline 1), so different backups report different positions. */
export function walFile(time: number): string {
  const segment = Math.floor(time / 60_000);
  return `00000001${hex(Math.floor(segment / 256), 8)}${hex(segment % 256, 8)}`;
}

export function lsn(time: number): string {
  const segment = Math.floor(time / 60_000);
  return `${Math.floor(segment / 256)
    .toString(16)
    .toUpperCase()}/${(((segment % 256) << 24) >>> 0).toString(16).toUpperCase()}`;
}

const hex = (value: number, width: number) => value.toString(16).toUpperCase().padStart(width, '0');
