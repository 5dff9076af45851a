import { createHash } from 'node:crypto';
import * as z from './zod-mini';
import { InvalidInputError } from '../errors';
import { DNS_LABEL_RULE, isDnsLabel } from './kube-names';
import { defaultRestoredClusterName, restoredClusterNameProblem } from './restored-cluster-name';
import type { TargetSpec } from './target-spec';
import type { RestoreDestination } from './recovery-point-import';
import { parseInput } from './validation';
import { IsoTimestamp } from './iso-timestamp';

/** The operator's restore request, as invoked at 3 a.m.: small, strict, and checked before anything is created. */
const RESTORE_INSTANCES_MAX = 10;

const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const TARGET = 'the name of a configured target, or { eksCluster, namespace, cluster }';

/** Messages for a missing field and for a value of the wrong type, so that neither reads "Invalid input". */
const expected = (what: string) => (issue: { input?: unknown }) => (issue.input === undefined ? `required: ${what}` : `must be ${what}`);

const dnsLabel = (what: string) => z.string({ error: expected(what) }).check(z.refine(isDnsLabel, { message: DNS_LABEL_RULE }));

const wholeNumber = (min: number, max: number, unit = '') => {
  const rule = `must be a whole number${unit} from ${min} to ${max}`;
  return z.int({ error: rule }).check(z.gte(min, { error: rule }), z.lte(max, { error: rule }));
};

const flag = z.boolean({ error: 'must be true or false' });

const eksClusterName = (error: string | ReturnType<typeof expected>) =>
  z.string({ error }).check(z.regex(EKS_CLUSTER_NAME, 'must be an EKS cluster name: letters, digits, "-" and "_", at most 100'));

const TargetCoordinatesSchema = z.strictObject({
  eksCluster: eksClusterName(expected('the EKS cluster name')),
  namespace: dnsLabel('the namespace of the CNPG Cluster'),
  cluster: dnsLabel('the name of the CNPG Cluster'),
});
type TargetCoordinates = z.infer<typeof TargetCoordinatesSchema>;

/** A configured target's name or explicit coordinates; the coordinates' own field errors are kept (a union would hide them). */
const TargetReferenceSchema = z.pipe(
  z.unknown(),
  z.transform((value, ctx): string | TargetCoordinates => {
    if (typeof value === 'string' && value.length > 0) return value;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      ctx.issues.push({ code: 'custom', message: expected(TARGET)({ input: value }), input: value });
      return z.NEVER;
    }
    const coordinates = z.safeParse(TargetCoordinatesSchema, value);
    if (coordinates.success) return coordinates.data;
    for (const issue of coordinates.error.issues)
      ctx.issues.push({ code: 'custom', path: issue.path, message: issue.message, input: value });
    return z.NEVER;
  }),
);

const ClusterNameSchema = z.string({ error: 'must be a DNS-1035 label' }).check(
  z.superRefine((name, ctx) => {
    const problem = restoredClusterNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }),
);

/** The pattern and length CNPG's CRD allows for spec.serviceAccountName (api/v1/cluster_types.go). */
const SERVICE_ACCOUNT_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const ServiceAccountNameSchema = z
  .string({ error: 'must be the name of a ServiceAccount' })
  .check(
    z.maxLength(253, 'must be the name of a ServiceAccount: at most 253 characters'),
    z.regex(SERVICE_ACCOUNT_NAME, 'must be the name of a ServiceAccount: a-z, 0-9 and "-", starting and ending with a letter or digit'),
  );

export const RestoreRequestSchema = z
  .strictObject({
    target: TargetReferenceSchema,
    backup: z._default(
      z
        .string({ error: 'must be "latest" or the name of a Backup' })
        .check(z.refine((name) => name === 'latest' || isDnsLabel(name), { message: 'must be "latest" or the name of a Backup' })),
      'latest',
    ),
    before: z.optional(IsoTimestamp),
    pointInTime: z.optional(IsoTimestamp),
    clusterName: z.optional(ClusterNameSchema),
    specFrom: z.optional(
      z.enum(['cluster', 'backup'], { error: 'must be "cluster" (the live Cluster) or "backup" (the spec the backup recorded)' }),
    ),
    serviceAccountName: z.optional(ServiceAccountNameSchema),
    instances: z._default(wholeNumber(1, RESTORE_INSTANCES_MAX), 1),
    timeoutMinutes: z._default(wholeNumber(5, 24 * 60, ' of minutes'), 120),
    replica: z._default(flag, false),
    dryRun: z._default(flag, false),
    fromCatalog: z._default(flag, false),
    toNamespace: z.optional(dnsLabel('the namespace to restore into')),
    toEksCluster: z.optional(eksClusterName('must be the name of an EKS cluster of this deployment')),
    requestId: z.optional(
      z
        .string({ error: 'must be a label value' })
        .check(
          z.regex(
            LABEL_VALUE,
            'must be a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit',
          ),
        ),
    ),
  })
  .check(
    z.superRefine((request, ctx) => {
      if (request.backup !== 'latest' && request.before)
        ctx.addIssue({ code: 'custom', path: ['before'], message: 'cannot be combined with a backup name: give one or the other' });
      if (request.before && request.pointInTime)
        ctx.addIssue({
          code: 'custom',
          path: ['before'],
          message: 'cannot be combined with pointInTime, which already chooses the latest backup that ended before it',
        });
      if (request.replica && request.pointInTime)
        ctx.addIssue({
          code: 'custom',
          path: ['replica'],
          message: 'a replica cluster follows the source and cannot stop at a pointInTime',
        });
    }),
  );

export type BackupSelector = { kind: 'latest' } | { kind: 'named'; name: string } | { kind: 'before'; time: Date };

export interface RestoreSource {
  /** The configured target's name, or `<namespace>/<cluster>` for an unconfigured one (metrics and events). */
  target: string;
  eksCluster: string;
  namespace: string;
  cluster: string;
}

/**
 * Where the restored cluster's spec comes from: the live Cluster, or the `cnpg.io/clusterManifest` annotation CNPG
 * wrote on the backup's snapshots (the source as it was at backup time; the only copy once the Cluster is deleted).
 */
export type RestoreSpecSource = 'cluster' | 'backup';

export interface RestoreRequest {
  source: RestoreSource;
  backupSelector: BackupSelector;
  pointInTime?: Date;
  clusterName: string;
  /** False when clusterName is the default one, made from the request time. */
  clusterNameGiven: boolean;
  /** Unset: the live Cluster when it exists, else the backup's record. */
  specFrom?: RestoreSpecSource;
  /** The ServiceAccount the restored cluster runs under, when it must not be the one CNPG makes for it. */
  serviceAccountName?: string;
  instances: number;
  replica: boolean;
  dryRun: boolean;
  /** How long the restore may take before it is reported as timed out. */
  timeoutMinutes: number;
  /** The caller's idempotency key; without one, restoreRequestId derives it once the backup is chosen. */
  givenRequestId?: string;
  requestedAt: Date;
  /**
   * From the recovery-point catalog: the backup's storage snapshots are imported into the destination, so the source
   * namespace (its Backups and VolumeSnapshots) need not exist. Implied by a destination other than the source's.
   */
  fromCatalog: boolean;
  /** Where the restored Cluster is created: the source's EKS cluster and namespace unless the request names others. */
  destination: RestoreDestination;
}

/** `targets` is asked for only once the payload is well formed. */
export function parseRestoreRequest(payload: unknown, context: { targets: () => readonly TargetSpec[]; now: Date }): RestoreRequest {
  const request = parseInput(RestoreRequestSchema, payload, 'restore request');
  const { now } = context;
  const issues: string[] = [];
  for (const field of ['before', 'pointInTime'] as const) {
    const value = request[field];
    if (value && Date.parse(value) > now.getTime()) issues.push(`${field}: ${value} is in the future (now is ${now.toISOString()})`);
  }
  const source = resolveSource(request.target, context.targets);
  if (typeof source === 'string') issues.push(`target: ${source}`);
  const destination =
    typeof source === 'string'
      ? undefined
      : { eksCluster: request.toEksCluster ?? source.eksCluster, namespace: request.toNamespace ?? source.namespace };
  const fromCatalog =
    request.fromCatalog ||
    (destination !== undefined &&
      typeof source !== 'string' &&
      (destination.eksCluster !== source.eksCluster || destination.namespace !== source.namespace));
  // The catalog keeps a configured target's records under its name.
  if (fromCatalog && typeof request.target !== 'string')
    issues.push('target: a restore from the recovery-point catalog (fromCatalog, toNamespace, toEksCluster) names a configured target');
  if (issues.length > 0 || typeof source === 'string' || !destination)
    throw new InvalidInputError(`Invalid restore request: ${issues.join('; ')}`, issues);

  const before = request.before ? new Date(request.before) : undefined;
  const pointInTime = request.pointInTime ? new Date(request.pointInTime) : undefined;
  const backupSelector: BackupSelector =
    request.backup !== 'latest' ? { kind: 'named', name: request.backup } : before ? { kind: 'before', time: before } : { kind: 'latest' };
  return {
    source,
    backupSelector,
    ...(pointInTime && { pointInTime }),
    clusterName: request.clusterName ?? defaultRestoredClusterName(source.cluster, now),
    clusterNameGiven: request.clusterName !== undefined,
    ...(request.specFrom && { specFrom: request.specFrom }),
    ...(request.serviceAccountName && { serviceAccountName: request.serviceAccountName }),
    instances: request.instances,
    replica: request.replica,
    dryRun: request.dryRun,
    timeoutMinutes: request.timeoutMinutes,
    ...(request.requestId && { givenRequestId: request.requestId }),
    requestedAt: now,
    fromCatalog,
    destination,
  };
}

/**
 * Identifies a request, so that the same request made again (a retry, a second click) is recognised instead of
 * restoring twice: the caller's key, or a label-value-safe digest of what is restored where. The digest names the
 * backup the request resolved to, not the selector: "latest" a week later is another backup and another request.
 * Times are instants, so the same instant written with another offset is the same request.
 */
export function restoreRequestId(request: RestoreRequest, backupName: string): string {
  if (request.givenRequestId) return request.givenRequestId;
  const { source } = request;
  const normalized = [
    source.eksCluster,
    source.namespace,
    source.cluster,
    backupName,
    request.pointInTime?.toISOString() ?? null,
    request.clusterNameGiven ? request.clusterName : null,
    request.instances,
    request.replica,
    request.specFrom ?? null,
    request.serviceAccountName ?? null,
    // Only for a restore from the catalog, so that the identity of every other request stays as it was.
    ...(request.fromCatalog ? ['catalog', request.destination.eksCluster, request.destination.namespace] : []),
  ];
  return createHash('sha256').update(JSON.stringify(normalized)).digest('hex').slice(0, 16);
}

/** The source cluster of a request, or why it names none. */
function resolveSource(target: string | TargetCoordinates, targetsOf: () => readonly TargetSpec[]): RestoreSource | string {
  if (typeof target !== 'string')
    return {
      target: `${target.namespace}/${target.cluster}`,
      eksCluster: target.eksCluster,
      namespace: target.namespace,
      cluster: target.cluster,
    };
  const targets = targetsOf();
  const configured = targets.find((t) => t.name === target);
  if (!configured) return `no configured target is named "${target}"${namesHint(targets)}`;
  const { name, eksCluster, namespace, cluster } = configured;
  return { target: name, eksCluster, namespace, cluster };
}

/** A few of the configured names, so a typo is easy to spot without printing a thousand. */
function namesHint(targets: readonly TargetSpec[]): string {
  const shown = targets.slice(0, 10).map((t) => t.name);
  if (shown.length === 0) return ' (configured: none)';
  return ` (configured: ${shown.join(', ')}${targets.length > shown.length ? `, and ${targets.length - shown.length} more` : ''})`;
}
