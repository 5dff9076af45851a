import { isDeepStrictEqual } from 'node:util';
import { applyCrdDefaults, crdSchemaViolations } from '../crd-schemas';
import { invalidValue, KubeErrors, type FieldError } from './kube-status';
import type { ResourceType } from './resource-registry';

/**
 * What the API server and CNPG's validating webhooks check before an object is stored, in the API server's order:
 * CRD defaulting, then the object's name and labels, the CRD schema and its CEL rules (one 422), then the validating
 * admission policies, then the webhooks (a 422 that names the webhook). Only the CNPG rules that matter to volume-snapshot backups and recovery are here.
 */

type Json = Record<string, unknown>;

const asRecord = (value: unknown): Json | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const BACKUP_WEBHOOK = 'vbackup.cnpg.io';
const CLUSTER_WEBHOOK = 'vcluster.cnpg.io';

function nameErrors(name: string): FieldError[] {
  if (!name) return [{ field: 'metadata.name', message: 'Required value: name or generateName is required' }];
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name))
    return [
      invalidValue(
        'metadata.name',
        name,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      ),
    ];
  return [];
}

function labelKeyIsValid(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const [prefix, name] = slash < 0 ? ['', key] : [key.slice(0, slash), key.slice(slash + 1)];
  return (slash < 0 || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix))) && name.length <= 63 && LABEL_NAME.test(name);
}

function labelErrors(labels: unknown): FieldError[] {
  return Object.entries(asRecord(labels) ?? {}).flatMap(([key, value]) => {
    if (!labelKeyIsValid(key))
      return [invalidValue('metadata.labels', key, "name part must consist of alphanumeric characters, '-', '_' or '.'")];
    if (typeof value !== 'string' || value.length > 63 || !LABEL_VALUE.test(value))
      return [
        invalidValue(
          `metadata.labels.${key}`,
          value,
          "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.' (at most 63)",
        ),
      ];
    return [];
  });
}

function schemaErrors(type: ResourceType, object: Json): FieldError[] {
  if (!type.crd) return [];
  return crdSchemaViolations(type.crd, object).map((violation) => {
    const separator = violation.indexOf(': ');
    const path = violation.slice(0, separator);
    return { field: path === '/' ? '<root>' : path.slice(1).replaceAll('/', '.'), message: violation.slice(separator + 2) };
  });
}

/** internal/webhook/v1/backup_webhook.go `validate`. */
function backupWebhookErrors(object: Json): FieldError[] {
  const spec = asRecord(object.spec) ?? {};
  const errors: FieldError[] = [];
  if (spec.method === 'barmanObjectStore' && spec.online !== undefined)
    errors.push(invalidValue('spec.online', spec.online, 'Online parameter can be specified only if the backup method is volumeSnapshot'));
  if (spec.method === 'barmanObjectStore' && spec.onlineConfiguration !== undefined)
    errors.push(
      invalidValue(
        'spec.onlineConfiguration',
        spec.onlineConfiguration,
        'OnlineConfiguration parameter can be specified only if the backup method is volumeSnapshot',
      ),
    );
  const deadline = asRecord(asRecord(object.metadata)?.annotations)?.['cnpg.io/volumeSnapshotDeadline'];
  if (typeof deadline === 'string' && deadline !== '' && !/^[-+]?\d+$/.test(deadline))
    errors.push(invalidValue('metadata.annotations.cnpg.io/volumeSnapshotDeadline', deadline, 'must be an integer'));
  return errors;
}

function snapshotSourceErrors(field: string, ref: unknown): FieldError[] {
  const source = asRecord(ref) ?? {};
  const apiGroup = source.apiGroup ?? '';
  const supported =
    (apiGroup === 'snapshot.storage.k8s.io' && source.kind === 'VolumeSnapshot') ||
    (apiGroup === '' && source.kind === 'PersistentVolumeClaim');
  return supported ? [] : [invalidValue(field, ref, 'Only VolumeSnapshots and PersistentVolumeClaims are supported')];
}

const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** internal/webhook/v1/cluster_webhook.go: validateName, validateServiceAccountConfig, validateBootstrapRecoveryDataSource. */
function clusterWebhookErrors(object: Json): FieldError[] {
  const metadataName = asRecord(object.metadata)?.name;
  const name = typeof metadataName === 'string' ? metadataName : '';
  const spec = asRecord(object.spec) ?? {};
  const errors: FieldError[] = [];
  // validateName: services are named after the cluster, so DNS-1035 (IsDNS1035Label: at most 63) and at most 50.
  if (name.length > 63 || !DNS_1035_LABEL.test(name))
    errors.push(invalidValue('metadata.name', name, 'cluster name must be a valid DNS label'));
  if (name.length > 50) errors.push(invalidValue('metadata.name', name, 'the maximum length of a cluster name is 50 characters'));
  if (typeof spec.serviceAccountName === 'string' && spec.serviceAccountName !== '' && spec.serviceAccountTemplate !== undefined)
    errors.push(
      invalidValue(
        'spec.serviceAccountName',
        spec.serviceAccountName,
        'serviceAccountName and serviceAccountTemplate are mutually exclusive',
      ),
    );
  return [...errors, ...recoveryDataSourceErrors(spec)];
}

/** internal/webhook/v1/cluster_webhook.go `validateBootstrapRecoveryDataSource`. */
function recoveryDataSourceErrors(spec: Json): FieldError[] {
  const recovery = asRecord(asRecord(spec.bootstrap)?.recovery);
  const snapshots = asRecord(recovery?.volumeSnapshots);
  if (!recovery || !snapshots) return [];
  if (recovery.backup !== undefined)
    return [
      invalidValue(
        'spec.bootstrap.recovery.backup',
        recovery.backup,
        'Recovery from dataSource is not compatible with other types of recovery',
      ),
    ];
  const backupID = asRecord(recovery.recoveryTarget)?.backupID;
  if (typeof backupID === 'string' && backupID !== '')
    return [
      invalidValue(
        'spec.bootstrap.recovery.recoveryTarget.backupID',
        backupID,
        'Cannot specify a backupID when recovering using a DataSource',
      ),
    ];
  const errors = snapshotSourceErrors('spec.bootstrap.recovery.storage', snapshots.storage);
  if (snapshots.walStorage !== undefined) {
    if (spec.walStorage === undefined)
      errors.push(
        invalidValue(
          'spec.bootstrap.recovery.dataSource.walStorage',
          snapshots.walStorage,
          'A WAL storage configuration is required when recovering using a DataSource for WALs',
        ),
      );
    errors.push(...snapshotSourceErrors('spec.bootstrap.recovery.dataSource.walStorage', snapshots.walStorage));
  }
  return errors;
}

/** The validating admission policies' verdict on the object, thrown when they deny it. */
export type PolicyAdmission = (object: Json) => void;

function admit(type: ResourceType, object: Json, celErrors: FieldError[], policies: PolicyAdmission): void {
  const metadata = asRecord(object.metadata) ?? {};
  const target = { kind: type.kind, group: type.group, name: typeof metadata.name === 'string' ? metadata.name : '' };
  const errors = [...nameErrors(target.name), ...labelErrors(metadata.labels), ...schemaErrors(type, object), ...celErrors];
  if (errors.length > 0) throw KubeErrors.invalid(target, errors);
  // Validating admission runs on the object the schema admitted (registry/generic/registry/store.go Create and Update:
  // BeforeCreate / BeforeUpdate validate, then createValidation / updateValidation), policies before webhooks
  // (pkg/kubeapiserver/options/plugins.go AllOrderedPlugins: ValidatingAdmissionPolicy, ValidatingAdmissionWebhook).
  policies(object);
  if (type.kind === 'Backup') {
    const denied = backupWebhookErrors(object);
    if (denied.length > 0) throw KubeErrors.invalid(target, denied, BACKUP_WEBHOOK);
  }
  if (type.kind === 'Cluster') {
    const denied = clusterWebhookErrors(object);
    if (denied.length > 0) throw KubeErrors.invalid(target, denied, CLUSTER_WEBHOOK);
  }
}

const NO_POLICIES: PolicyAdmission = () => undefined;

/** Defaults and validates a new object in place; throws a 4xx Status when it would not be admitted. */
export function admitCreate(type: ResourceType, object: Json, policies = NO_POLICIES): void {
  if (type.crd) applyCrdDefaults(type.crd, object);
  admit(type, object, [], policies);
}

/** Defaults and validates the result of a patch or update; a Backup's spec may never change (CEL `oldSelf == self`). */
export function admitUpdate(type: ResourceType, previous: Json, next: Json, policies = NO_POLICIES): void {
  if (type.crd) applyCrdDefaults(type.crd, next);
  const immutable = type.kind === 'Backup' && !isDeepStrictEqual(previous.spec, next.spec);
  admit(type, next, immutable ? [invalidValue('spec', next.spec, 'BackupSpec is immutable once set')] : [], policies);
}
