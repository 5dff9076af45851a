import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod';
import { FanOutSettingsSchema } from '../lambdas/domain/target-catalog';
import { TargetSpecSchema } from '../lambdas/domain/target-spec';

/**
 * The deployment config: account-wide settings and the list of backup targets.
 * Read by bin/app.ts from `-c config=<path>` (YAML or JSON); a bad config fails `cdk synth` naming the field.
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

export const DeploymentConfigSchema = z
  .strictObject({
    eventBusName: eventBusName.default('default'),
    notifications: NotificationsSchema.default({}),
    network: NetworkSchema.optional(),
    logRetentionDays: z.union([z.literal(7), z.literal(14), z.literal(30), z.literal(90), z.literal(365)]).default(30),
    fanOut: FanOutSettingsSchema.default(FanOutSettingsSchema.parse({})),
    targets: z.array(TargetSpecSchema).min(1, 'must list at least one target'),
    /** Source maps in the Lambdas with --enable-source-maps: stack traces name lambdas/*.ts lines; costs at every cold start. */
    lambdaSourceMaps: z.boolean().default(false),
  })
  .superRefine((config, ctx) => {
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
  });

export type DeploymentConfig = z.infer<typeof DeploymentConfigSchema>;
export type DeploymentConfigInput = z.input<typeof DeploymentConfigSchema>;

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

export function loadDeploymentConfig(path: string): DeploymentConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DeploymentConfigError(`Cannot read the deployment config ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new DeploymentConfigError(
      `The deployment config ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
    );
  }
  return parseDeploymentConfig(raw, path);
}
