import { applyCrdDefaults, crdSchemaViolations } from '../crd-schemas';
import { KubeErrors } from './kube-status';
import type { StoredObject } from './object-store';
import type { ResourceType } from './resource-registry';

/**
 * What the API server and CNPG's webhooks check before an object is stored: the name, the CRD schema (after
 * defaulting), and the CNPG rules that matter to backups and snapshot recovery.
 */

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

type Cause = { field: string; message: string };
type Json = Record<string, unknown>;

const obj = (value: unknown): Json | undefined => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined);

function nameCauses(name: string): Cause[] {
  if (!name) return [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }];
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name))
    return [{ field: 'metadata.name', message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.'` }];
  return [];
}

function labelCauses(labels: unknown): Cause[] {
  const record = obj(labels) ?? {};
  return Object.entries(record)
    .filter(([, value]) => typeof value !== 'string' || value.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value))
    .map(([key, value]) => ({ field: `metadata.labels.${key}`, message: `Invalid value: "${String(value)}": must be 63 characters or less and a valid label value` }));
}

function backupWebhookCauses(object: Json): Cause[] {
  const spec = obj(object.spec) ?? {};
  const causes: Cause[] = [];
  if (spec.method !== 'volumeSnapshot' && (spec.online !== undefined || spec.onlineConfiguration !== undefined))
    causes.push({ field: 'spec.online', message: 'Online parameter can be specified only if the backup method is volumeSnapshot' });
  const deadline = obj(obj(object.metadata)?.annotations)?.['cnpg.io/volumeSnapshotDeadline'];
  if (deadline !== undefined && !/^\d+$/.test(String(deadline)))
    causes.push({ field: 'metadata.annotations.cnpg.io/volumeSnapshotDeadline', message: 'must be an integer number of minutes' });
  return causes;
}

function clusterWebhookCauses(object: Json): Cause[] {
  const spec = obj(object.spec) ?? {};
  const recovery = obj(obj(spec.bootstrap)?.recovery);
  if (!recovery) return [];
  const causes: Cause[] = [];
  const snapshots = obj(recovery.volumeSnapshots);
  if (snapshots && recovery.backup)
    causes.push({ field: 'spec.bootstrap.recovery', message: 'Only one of backup and volumeSnapshots can be specified' });
  if (snapshots) {
    const refs: Array<[string, unknown]> = [
      ['storage', snapshots.storage],
      ['walStorage', snapshots.walStorage],
      ...Object.entries(obj(snapshots.tablespaceStorage) ?? {}).map(([name, ref]) => [`tablespaceStorage.${name}`, ref] as [string, unknown]),
    ];
    for (const [field, ref] of refs) {
      const source = obj(ref);
      if (!source) continue;
      const kind = `${String(source.apiGroup ?? '')}/${String(source.kind)}`;
      if (kind !== 'snapshot.storage.k8s.io/VolumeSnapshot' && kind !== '/PersistentVolumeClaim')
        causes.push({ field: `spec.bootstrap.recovery.volumeSnapshots.${field}`, message: 'Only VolumeSnapshots and PersistentVolumeClaims are supported' });
    }
    if (snapshots.walStorage && !spec.walStorage)
      causes.push({ field: 'spec.bootstrap.recovery.volumeSnapshots.walStorage', message: 'walStorage snapshot was given but spec.walStorage is not set' });
    if (obj(recovery.recoveryTarget)?.backupID)
      causes.push({ field: 'spec.bootstrap.recovery.recoveryTarget.backupID', message: 'Cannot specify a backupID when recovering using a DataSource' });
  }
  const targets = ['targetTime', 'targetLSN', 'targetName', 'targetXID', 'targetImmediate'].filter((key) => obj(recovery.recoveryTarget)?.[key] !== undefined);
  if (targets.length > 1) causes.push({ field: 'spec.bootstrap.recovery.recoveryTarget', message: 'Only one recovery target can be specified' });
  return causes;
}

/** Validates (and defaults) a new object; throws a 422 Invalid Status when it would not be admitted. */
export function admitCreate(type: ResourceType, object: Json): void {
  const metadata = obj(object.metadata) ?? {};
  const name = String(metadata.name ?? '');
  const causes = [...nameCauses(name), ...labelCauses(metadata.labels)];
  if (type.crd) {
    applyCrdDefaults(type.crd, object);
    causes.push(...crdSchemaViolations(type.crd, object).map((message) => ({ field: message.split(':')[0]!.replace(/^\//, '').replaceAll('/', '.'), message })));
    if (type.kind === 'Backup') causes.push(...backupWebhookCauses(object));
    if (type.kind === 'Cluster') causes.push(...clusterWebhookCauses(object));
  }
  if (causes.length > 0) throw KubeErrors.invalid(type.kind, name, causes);
}

/** Validates an update; CNPG's Backup spec may never change once set. */
export function admitUpdate(type: ResourceType, previous: StoredObject, next: Json): void {
  if (type.kind === 'Backup' && JSON.stringify(previous.spec) !== JSON.stringify(next.spec))
    throw KubeErrors.invalid(type.kind, previous.metadata.name, [{ field: 'spec', message: 'Invalid value: "object": BackupSpec is immutable once set' }]);
  admitCreate(type, next);
}
