import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';

/**
 * The upstream CRD schemas vendored in test/fixtures/crds (see SOURCES.md there), compiled with ajv.
 * Unknown fields are rejected, as the API server does with `fieldValidation=Strict`; CEL rules
 * (`x-kubernetes-validations`) are not evaluated here: the test server implements the ones that matter.
 */

export type CrdKind = 'Backup' | 'Cluster' | 'ScheduledBackup' | 'VolumeSnapshot';

const SCHEMA_FILES: Record<CrdKind, string> = {
  Backup: 'postgresql.cnpg.io_backups.schema.json',
  Cluster: 'postgresql.cnpg.io_clusters.schema.json',
  ScheduledBackup: 'postgresql.cnpg.io_scheduledbackups.schema.json',
  VolumeSnapshot: 'snapshot.storage.k8s.io_volumesnapshots.schema.json',
};

export const CRD_FIXTURES_DIR = join(__dirname, '..', 'test', 'fixtures', 'crds');

export type SchemaNode = { [key: string]: unknown };

function closeObjects(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (node === null || typeof node !== 'object') return node;
  const copy: SchemaNode = {};
  for (const [key, value] of Object.entries(node as SchemaNode)) {
    copy[key] = key === 'properties' ? mapValues(value as SchemaNode, closeObjects) : closeObjects(value);
  }
  if (copy.properties !== undefined && copy.additionalProperties === undefined) copy.additionalProperties = false;
  return copy;
}

function mapValues(record: SchemaNode, fn: (value: unknown) => unknown): SchemaNode {
  return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, fn(value)]));
}

const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: true });
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 });
ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
ajv.addFormat('byte', /^[A-Za-z0-9+/]*={0,2}$/);
ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);

const validators = new Map<CrdKind, ValidateFunction>();
const schemas = new Map<CrdKind, SchemaNode>();

/** The upstream openAPIV3Schema of a CRD, as vendored. */
export function crdSchema(kind: CrdKind): SchemaNode {
  let schema = schemas.get(kind);
  if (!schema) {
    schema = JSON.parse(readFileSync(join(CRD_FIXTURES_DIR, SCHEMA_FILES[kind]), 'utf8')) as SchemaNode;
    schemas.set(kind, schema);
  }
  return schema;
}

function validatorFor(kind: CrdKind): ValidateFunction {
  let validate = validators.get(kind);
  if (!validate) {
    validate = ajv.compile(closeObjects(crdSchema(kind)) as SchemaNode);
    validators.set(kind, validate);
  }
  return validate;
}

/**
 * Fills `default` values into absent fields of objects that are present, as the API server's structural
 * defaulting does. Mutates and returns `value`.
 */
export function applyCrdDefaults(kind: CrdKind, value: unknown): unknown {
  return applyDefaults(crdSchema(kind), value);
}

function applyDefaults(schema: SchemaNode, value: unknown): unknown {
  if (Array.isArray(value) && schema.items && typeof schema.items === 'object') {
    value.forEach((item) => applyDefaults(schema.items as SchemaNode, item));
    return value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries((schema.properties as Record<string, SchemaNode> | undefined) ?? {})) {
    if (record[key] === undefined && child.default !== undefined) record[key] = structuredClone(child.default);
    if (record[key] !== undefined) applyDefaults(child, record[key]);
  }
  return value;
}

/** Returns the schema violations of `object` as `path: message` lines; empty when it is valid. */
export function crdSchemaViolations(kind: CrdKind, object: unknown): string[] {
  const validate = validatorFor(kind);
  if (validate(object)) return [];
  return (validate.errors ?? []).map((error) => {
    const extra = error.keyword === 'additionalProperties' ? ` (${String(error.params.additionalProperty)})` : '';
    return `${error.instancePath || '/'}: ${error.message ?? error.keyword}${extra}`;
  });
}
