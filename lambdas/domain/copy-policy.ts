import * as z from 'zod';

/**
 * A target's disaster recovery copies: after a completed backup, its storage snapshots are copied to another Region,
 * encrypted there under that Region's own KMS key, and kept for their own number of days (the source's retention
 * does not apply to them). `every: day` copies the first completed backup of each UTC day; `every: backup` each one.
 */

/** An AWS Region name: `us-west-2`, `eu-central-1`, `us-gov-west-1`, `cn-north-1`. */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** A KMS key ARN (a key, not an alias: IAM scopes grants to keys). Groups: partition, Region, account, key id. */
export const KMS_KEY_ARN_PATTERN = /^arn:(aws[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/((?:mrk-)?[0-9a-f-]{32,36})$/;

/** The Region of a KMS key ARN, or undefined for a string that is none. */
export function regionOfKmsKeyArn(arn: string): string | undefined {
  return KMS_KEY_ARN_PATTERN.exec(arn)?.[2];
}

export const COPY_KEEP_DAYS_MAX = 3650;

export const CopyPolicySchema = z
  .strictObject({
    region: z.string().regex(REGION_PATTERN, 'must be an AWS Region name such as us-west-2'),
    kmsKeyArn: z
      .string()
      .regex(
        KMS_KEY_ARN_PATTERN,
        'must be a KMS key ARN such as arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      ),
    every: z.enum(['backup', 'day']).default('day'),
    keepDays: z.int().min(1).max(COPY_KEEP_DAYS_MAX).default(30),
  })
  .superRefine((policy, ctx) => {
    const keyRegion = regionOfKmsKeyArn(policy.kmsKeyArn);
    if (keyRegion !== undefined && REGION_PATTERN.test(policy.region) && keyRegion !== policy.region)
      ctx.addIssue({
        code: 'custom',
        path: ['kmsKeyArn'],
        message: `must be a key in the copies' Region ${policy.region}, not in ${keyRegion} (EBS encrypts a copy with a key of its own Region)`,
      });
  });
export type CopyPolicy = z.infer<typeof CopyPolicySchema>;
