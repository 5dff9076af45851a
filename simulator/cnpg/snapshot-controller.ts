import { DEFAULT_IMAGE, majorOfImage, majorVersionOfCluster } from './cluster-image';
import type { StoredObject } from '../kube-api-server/object-store';
import { resourceTypeOf } from '../kube-api-server/resource-registry';
import { at, obj, type Json, type SimulatedWrites } from './simulated-writes';
import { Annotation, Label, PvcRole, SNAPSHOT_API_VERSION } from './upstream-strings';

const SNAPSHOTS = resourceTypeOf('volumesnapshots');

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
 * creationTime, restoreSize, readyToUse, error).
 */
export class SnapshotController {
  constructor(private readonly writes: SimulatedWrites) {}

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
    const primary = String(obj(cluster.status).currentPrimary ?? `${clusterName}-1`);
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
      this.writes.store.insert(SNAPSHOTS, {
        apiVersion: SNAPSHOT_API_VERSION,
        kind: 'VolumeSnapshot',
        metadata: {
          name,
          namespace: backup.metadata.namespace!,
          creationTimestamp: at(time),
          labels: {
            [Label.Cluster]: clusterName,
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
            ...(volume.tablespace !== undefined && { [Label.TablespaceName]: volume.tablespace }),
            ...(obj(stanza.labels) as Record<string, string>),
          },
          annotations: {
            [Annotation.PvcRole]: volume.role,
            [Label.InstanceName]: podName,
            [Annotation.InstanceRole]: instanceRole,
            role: instanceRole,
            [Annotation.NodeSerial]: podName.slice(podName.lastIndexOf('-') + 1),
            [Annotation.PvcStatus]: 'ready',
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
            ...(obj(stanza.annotations) as Record<string, string>),
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
    }
  }

  /** The CSI driver cut the snapshots: bound to a content, sized, not ready yet; CNPG stamps the snapshot times. */
  provision(snapshots: StoredObject[], cluster: StoredObject | undefined, provisionedAt: number): void {
    const spec = obj(cluster?.spec);
    const dataSize = String(obj(spec.storage).size ?? '1Gi');
    const sizes: Record<string, string> = {
      [PvcRole.PgData]: dataSize,
      [PvcRole.PgWal]: String(obj(spec.walStorage).size ?? dataSize),
    };
    for (const snapshot of snapshots) {
      const annotations = snapshot.metadata.annotations ?? {};
      const tablespace = snapshot.metadata.labels?.[Label.TablespaceName];
      const tablespaceSize = (spec.tablespaces as Array<{ name: string; storage?: { size?: string } }> | undefined)?.find(
        (t) => t.name === tablespace,
      )?.storage?.size;
      this.writes.update(SNAPSHOTS, snapshot, {
        metadata: {
          ...snapshot.metadata,
          annotations: {
            ...annotations,
            [Annotation.SnapshotStartTime]: at(provisionedAt),
            [Annotation.SnapshotEndTime]: at(provisionedAt),
          },
        },
        status: {
          boundVolumeSnapshotContentName: `snapcontent-${snapshot.metadata.uid}`,
          creationTime: at(provisionedAt),
          readyToUse: false,
          restoreSize: tablespaceSize ?? sizes[annotations[Annotation.PvcRole] ?? ''] ?? dataSize,
        },
      });
    }
  }

  /** Every snapshot is readyToUse; CNPG annotates them with the backup's start and end. */
  markReady(snapshots: StoredObject[], startedAt: number, completedAt: number): void {
    for (const snapshot of snapshots)
      this.writes.update(SNAPSHOTS, snapshot, {
        metadata: {
          ...snapshot.metadata,
          annotations: {
            ...snapshot.metadata.annotations,
            [Annotation.BackupStartTime]: at(startedAt),
            [Annotation.BackupEndTime]: at(completedAt),
          },
        },
        status: { ...obj(snapshot.status), readyToUse: true },
      });
  }

  /** The CSI driver reports an error on every snapshot (status.error, as external-snapshotter sets it). */
  fail(snapshots: StoredObject[], message: string, failedAt: number): void {
    for (const snapshot of snapshots)
      this.writes.update(SNAPSHOTS, snapshot, {
        status: { ...obj(snapshot.status), readyToUse: false, error: { message, time: at(failedAt) } },
      });
  }
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
