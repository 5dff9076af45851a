import * as z from 'zod';
import { REGION_PATTERN } from '../lambdas/domain/copy-policy';
import { FanOutSettingsSchema } from '../lambdas/domain/target-catalog';
import { DiscoverySchema, PolicyNameSchema, TargetPolicySchema } from '../lambdas/domain/target-policy';
import { TargetSpecSchema } from '../lambdas/domain/target-spec';
import type { SnapshotSchedulerConfig } from './snapshot-scheduler-config';

/**
 * The deployment config: account-wide settings, the list of backup targets, and the policies and discovery that make
 * labelled CNPG Clusters targets without a redeploy (target-policy.ts).
 * Read by bin/app.ts from `-c config=<path>` (YAML or JSON, lib/load-deployment-config.ts); a bad config fails
 * `cdk synth` naming the field. No file reading here: this is what the library entry (lib/index.ts) carries.
 */

const eventBusName = z.string().regex(/^[A-Za-z0-9._-]{1,256}$/, 'must be an EventBridge bus name: letters, digits, ".", "_" and "-"');

export const NotificationsSchema = z.strictObject({
  email: z.email('must be an e-mail address such as sre@example.com').optional(),
  snsTopicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'must be an SNS topic ARN')
    .optional(),
});

/** Puts the Kubernetes-facing Lambdas in the cluster's VPC, for EKS clusters whose API endpoint is private. */
export const NetworkSchema = z.strictObject({
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id such as vpc-0123456789abcdef0'),
  subnetIds: z
    .array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id such as subnet-0123456789abcdef0'))
    .min(1, 'must list at least one subnet'),
  securityGroupIds: z
    .array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id such as sg-0123456789abcdef0'))
    .min(1, 'must list at least one security group'),
});

/** An EKS cluster of the disaster recovery Region that the standby may restore into, in these namespaces only. */
export const DisasterRecoveryEksClusterSchema = z.strictObject({
  name: TargetSpecSchema.shape.eksCluster,
  namespaces: DiscoverySchema.shape.namespaces,
});

/**
 * Where the deployment comes back when its Region is lost: the catalog gets a replica there, and a standby stack there
 * restores from the copies of the backups into the EKS clusters and namespaces named here.
 */
export const DisasterRecoverySchema = z.strictObject({
  region: z.string().regex(REGION_PATTERN, 'must be an AWS Region name such as us-west-2'),
  eksClusters: z
    .array(DisasterRecoveryEksClusterSchema)
    .min(1, 'must list at least one EKS cluster of the disaster recovery Region to restore into'),
  /** The VPC of the standby's Kubernetes-facing Lambdas, for DR EKS clusters whose API endpoint is private. */
  network: NetworkSchema.optional(),
});

export const DeploymentConfigSchema = z
  .strictObject({
    eventBusName: eventBusName.default('default'),
    notifications: NotificationsSchema.default({}),
    network: NetworkSchema.optional(),
    logRetentionDays: z.union([z.literal(7), z.literal(14), z.literal(30), z.literal(90), z.literal(365)]).default(30),
    fanOut: z._default(FanOutSettingsSchema, FanOutSettingsSchema.parse({})),
    targets: z.array(TargetSpecSchema).default([]),
    /** By name: what a Cluster labelled `cnpg-snapshot-scheduler/policy=<name>` is backed up with. */
    policies: z.record(z.string(), TargetPolicySchema).default({}),
    /** The EKS clusters, and their namespaces, whose labelled Clusters are targets. */
    discovery: z.array(DiscoverySchema).default([]),
    /** Source maps in the Lambdas with --enable-source-maps: stack traces name lambdas/*.ts lines; costs at every cold start. */
    lambdaSourceMaps: z.boolean().default(false),
    /** The Region, EKS clusters and namespaces a standby restores into from the copies when this Region is lost. */
    disasterRecovery: DisasterRecoverySchema.optional(),
  })
  .superRefine((config, ctx) => {
    if (config.targets.length === 0 && config.discovery.length === 0)
      ctx.addIssue({ code: 'custom', path: ['targets'], message: 'must list at least one target (or configure discovery)' });
    const seen = new Set<string>();
    config.targets.forEach((target, index) => {
      if (seen.has(target.name))
        ctx.addIssue({
          code: 'custom',
          path: ['targets', index, 'name'],
          message: `"${target.name}" is used by another target; names must be unique`,
        });
      seen.add(target.name);
    });
    const discovered = new Set<string>();
    config.discovery.forEach((discovery, index) => {
      if (discovered.has(discovery.eksCluster))
        ctx.addIssue({
          code: 'custom',
          path: ['discovery', index, 'eksCluster'],
          message: `"${discovery.eksCluster}" is listed twice; list each EKS cluster once, with all its namespaces`,
        });
      discovered.add(discovery.eksCluster);
    });
    for (const [name, policy] of Object.entries(config.policies)) {
      const nameProblem = PolicyNameSchema.safeParse(name).error?.issues[0]?.message;
      if (nameProblem)
        ctx.addIssue({ code: 'custom', path: ['policies', name], message: `the policy name (a label value) ${nameProblem}` });
      if (policy.retention.scope === 'all')
        ctx.addIssue({
          code: 'custom',
          path: ['policies', name, 'retention', 'scope'],
          message:
            'must be managed: scope all deletes snapshots the scheduler did not make, and the admission policy allows that only for the clusters of explicit targets',
        });
    }
    const drClusters = new Set<string>();
    const primaryClusters = new Set([...config.targets, ...config.discovery].map((t) => t.eksCluster));
    config.disasterRecovery?.eksClusters.forEach((cluster, index) => {
      if (primaryClusters.has(cluster.name))
        ctx.addIssue({
          code: 'custom',
          path: ['disasterRecovery', 'eksClusters', index, 'name'],
          message: `"${cluster.name}" is also an EKS cluster of the targets or discovery: npm run k8s-manifests writes one file per name, so give the DR cluster another name`,
        });
      if (drClusters.has(cluster.name))
        ctx.addIssue({
          code: 'custom',
          path: ['disasterRecovery', 'eksClusters', index, 'name'],
          message: `"${cluster.name}" is listed twice; list each EKS cluster once, with all its namespaces`,
        });
      drClusters.add(cluster.name);
    });
    // The standby restores only from copies in its own Region: a copy elsewhere is none it can use.
    const drRegion = config.disasterRecovery?.region;
    if (drRegion !== undefined) {
      const copyPolicies = [
        ...config.targets.map((target, index) => ({ path: ['targets', index, 'copies', 'region'], copies: target.copies })),
        ...Object.entries(config.policies).map(([name, policy]) => ({
          path: ['policies', name, 'copies', 'region'],
          copies: policy.copies,
        })),
      ];
      for (const { path, copies } of copyPolicies)
        if (copies && copies.region !== drRegion)
          ctx.addIssue({
            code: 'custom',
            path,
            message: `must be disasterRecovery.region (${drRegion}): the standby there restores from copies in its own Region only`,
          });
    }
    if (config.discovery.length > 0 && Object.keys(config.policies).length === 0)
      ctx.addIssue({ code: 'custom', path: ['policies'], message: 'discovery needs at least one policy for Clusters to name' });
  });

export type DeploymentConfig = z.infer<typeof DeploymentConfigSchema>;

/**
 * Whether A and B are the same type: not only assignable both ways (that lets an extra optional field through). TypeScript
 * compares two generic function types by identity of what they test, which is what the lone type parameters are for.
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/**
 * The config as written, defaults optional: the documented SnapshotSchedulerConfig, checked here to be exactly what the
 * schema accepts. Should the two drift apart, this type becomes the message below and every use of it fails to compile.
 */
export type DeploymentConfigInput =
  Same<SnapshotSchedulerConfig, z.input<typeof DeploymentConfigSchema>> extends true
    ? SnapshotSchedulerConfig
    : { error: 'SnapshotSchedulerConfig (lib/snapshot-scheduler-config.ts) differs from the input type of DeploymentConfigSchema' };

export class DeploymentConfigError extends Error {
  override readonly name = 'DeploymentConfigError';
}

/** Validates a parsed config; the error lists every bad field as `path: problem`. */
export function parseDeploymentConfig(raw: unknown, source = 'config'): DeploymentConfig {
  const result = DeploymentConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  - ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new DeploymentConfigError(`Invalid deployment config ${source}:\n${lines.join('\n')}`);
}
