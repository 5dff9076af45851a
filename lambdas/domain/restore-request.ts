import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InvalidInputError } from '../errors';
import { formatCompactUtc } from './backup-name';
import { DNS_LABEL_RULE, isDnsLabel } from './kube-names';
import { KubeAuthSchema, type KubeAuth, type TargetSpec } from './target-spec';
import { parseInput } from './validation';
import { IsoTimestamp } from './workflow-input';

/**
 * The operator's restore request, as invoked at 3 a.m.: small, strict, and checked before anything is created.
 * A restored cluster's name must leave room for CNPG's derived names (`<name>-1-snapshot-recovery` Jobs, pods,
 * services), hence the 50-character cap.
 */
export const RESTORED_CLUSTER_NAME_MAX = 50;

const dnsLabel = z.string().refine(isDnsLabel, { message: DNS_LABEL_RULE });

export const RestoreRequestSchema = z
  .strictObject({
    target: z.union([
      z.string().min(1, 'must name a configured target'),
      z.strictObject({
        eksCluster: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, 'must be an EKS cluster name'),
        namespace: dnsLabel,
        cluster: dnsLabel,
        auth: KubeAuthSchema.optional(),
      }),
    ]),
    backup: z.union([z.literal('latest'), dnsLabel]).default('latest'),
    before: IsoTimestamp.optional(),
    pointInTime: IsoTimestamp.optional(),
    clusterName: dnsLabel
      .refine((name) => name.length <= RESTORED_CLUSTER_NAME_MAX, {
        message: `must be at most ${RESTORED_CLUSTER_NAME_MAX} characters (CNPG derives longer names from it)`,
      })
      .optional(),
    instances: z.int().min(1).max(10).default(1),
    timeoutMinutes: z
      .int()
      .min(5)
      .max(24 * 60)
      .default(120),
    replica: z.boolean().default(false),
    dryRun: z.boolean().default(false),
    requestId: z
      .string()
      .regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, 'must be a label value: at most 63 letters, digits, "-", "_" or "."')
      .optional(),
  })
  .superRefine((request, ctx) => {
    if (request.backup !== 'latest' && request.before)
      ctx.addIssue({ code: 'custom', path: ['before'], message: 'cannot be combined with a backup name: give one or the other' });
    if (request.before && request.pointInTime)
      ctx.addIssue({
        code: 'custom',
        path: ['before'],
        message: 'cannot be combined with pointInTime, which already chooses the latest backup before it',
      });
    if (request.replica && request.pointInTime)
      ctx.addIssue({ code: 'custom', path: ['replica'], message: 'a replica cluster follows the source and cannot stop at a pointInTime' });
  });

export type BackupSelector = { kind: 'latest' } | { kind: 'named'; name: string } | { kind: 'before'; time: Date };

export interface RestoreSource {
  /** The configured target's name, or `<namespace>/<cluster>` for an unconfigured one (metrics and events). */
  target: string;
  eksCluster: string;
  namespace: string;
  cluster: string;
  auth: KubeAuth;
}

export interface RestoreRequest {
  source: RestoreSource;
  backupSelector: BackupSelector;
  pointInTime?: Date;
  clusterName: string;
  instances: number;
  replica: boolean;
  dryRun: boolean;
  /** How long the restore may take before it is reported as timed out. */
  timeoutMinutes: number;
  /** Identifies the request: the same request made again is recognised instead of restoring twice. */
  requestId: string;
  requestedAt: Date;
}

function rejection(field: string, message: string): InvalidInputError {
  return new InvalidInputError(`Invalid restore request: ${field}: ${message}`, [`${field}: ${message}`]);
}

export function parseRestoreRequest(payload: unknown, context: { targets: readonly TargetSpec[]; now: Date }): RestoreRequest {
  const request = parseInput(RestoreRequestSchema, payload, 'restore request');
  const { now } = context;
  for (const field of ['before', 'pointInTime'] as const) {
    const value = request[field];
    if (value && new Date(value).getTime() > now.getTime()) throw rejection(field, `${value} is in the future`);
  }
  let source: RestoreSource;
  if (typeof request.target === 'string') {
    const target = context.targets.find((t) => t.name === request.target);
    if (!target)
      throw rejection(
        'target',
        `no configured target is named "${request.target}" (configured: ${context.targets.map((t) => t.name).join(', ') || 'none'})`,
      );
    source = {
      target: target.name,
      eksCluster: target.eksCluster,
      namespace: target.namespace,
      cluster: target.cluster,
      auth: target.auth,
    };
  } else {
    source = {
      target: `${request.target.namespace}/${request.target.cluster}`,
      eksCluster: request.target.eksCluster,
      namespace: request.target.namespace,
      cluster: request.target.cluster,
      auth: request.target.auth ?? { kind: 'eks' },
    };
  }
  const backupSelector: BackupSelector =
    request.backup !== 'latest'
      ? { kind: 'named', name: request.backup }
      : request.before
        ? { kind: 'before', time: new Date(request.before) }
        : { kind: 'latest' };
  const requestId =
    request.requestId ??
    createHash('sha256')
      .update(
        JSON.stringify([
          source.eksCluster,
          source.namespace,
          source.cluster,
          request.backup,
          request.before,
          request.pointInTime,
          request.clusterName,
          request.instances,
          request.replica,
        ]),
      )
      .digest('hex')
      .slice(0, 16);
  const clusterName = request.clusterName ?? defaultClusterName(source.cluster, now);
  return {
    source,
    backupSelector,
    ...(request.pointInTime && { pointInTime: new Date(request.pointInTime) }),
    clusterName,
    instances: request.instances,
    replica: request.replica,
    dryRun: request.dryRun,
    timeoutMinutes: request.timeoutMinutes,
    requestId,
    requestedAt: now,
  };
}

/** `<cluster>-restore-<YYYYMMDDHHMMSS>`, the cluster part cut so the whole stays within the cap. */
function defaultClusterName(cluster: string, now: Date): string {
  const suffix = `-restore-${formatCompactUtc(now)}`;
  return `${cluster.slice(0, RESTORED_CLUSTER_NAME_MAX - suffix.length).replace(/-+$/, '')}${suffix}`;
}
