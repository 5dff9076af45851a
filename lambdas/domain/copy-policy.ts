import * as z from './zod-mini';

/**
 * A target's disaster recovery copies: after a completed backup, its storage snapshots are copied to another Region,
 * encrypted there under that Region's own KMS key, and kept for their own number of days (the source's retention
 * does not apply to them). `every: day` copies the first completed backup of each UTC day; `every: backup` each one.
 * With `account`, the copies are made and kept in that other account (see CopyAccountSchema).
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

/** An AWS account id: 12 digits. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;

/**
 * An IAM role ARN (IAM User Guide, "IAM identifiers": `arn:<partition>:iam::<account>:role/<path><name>`, the name of
 * at most 64 characters of `[\w+=,.@-]`). Groups: partition, account.
 */
export const ROLE_ARN_PATTERN = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/**
 * The account the copies are kept in, when it is not the scheduler's own (a vault account): the copies are made,
 * described and deleted there through `roleArn`, a role of that account the scheduler's functions assume, so they
 * survive the loss or the compromise of the scheduler's account.
 */
export const CopyAccountSchema = z
  .strictObject({
    id: z.string().check(z.regex(ACCOUNT_ID_PATTERN, 'must be an AWS account id: 12 digits')),
    roleArn: z
      .string()
      .check(z.regex(ROLE_ARN_PATTERN, 'must be an IAM role ARN such as arn:aws:iam::444455556666:role/cnpg-snapshot-vault')),
  })
  .check(
    z.superRefine((account, ctx) => {
      const roleAccount = ROLE_ARN_PATTERN.exec(account.roleArn)?.[2];
      if (roleAccount !== undefined && ACCOUNT_ID_PATTERN.test(account.id) && roleAccount !== account.id)
        ctx.addIssue({
          code: 'custom',
          path: ['roleArn'],
          message: `must be a role of the account ${account.id}, not of ${roleAccount}`,
        });
    }),
  );
export type CopyAccount = z.infer<typeof CopyAccountSchema>;

export const CopyPolicySchema = z
  .strictObject({
    region: z.string().check(z.regex(REGION_PATTERN, 'must be an AWS Region name such as us-west-2')),
    kmsKeyArn: z
      .string()
      .check(
        z.regex(
          KMS_KEY_ARN_PATTERN,
          'must be a KMS key ARN such as arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
        ),
      ),
    every: z._default(z.enum(['backup', 'day']), 'day'),
    keepDays: z._default(z.int().check(z.gte(1), z.lte(COPY_KEEP_DAYS_MAX)), 30),
    account: z.optional(CopyAccountSchema),
  })
  .check(
    z.superRefine((policy, ctx) => {
      const keyRegion = regionOfKmsKeyArn(policy.kmsKeyArn);
      if (keyRegion !== undefined && REGION_PATTERN.test(policy.region) && keyRegion !== policy.region)
        ctx.addIssue({
          code: 'custom',
          path: ['kmsKeyArn'],
          message: `must be a key in the copies' Region ${policy.region}, not in ${keyRegion} (EBS encrypts a copy with a key of its own Region)`,
        });
      const keyAccount = KMS_KEY_ARN_PATTERN.exec(policy.kmsKeyArn)?.[3];
      if (policy.account && keyAccount !== undefined && ACCOUNT_ID_PATTERN.test(policy.account.id) && keyAccount !== policy.account.id)
        ctx.addIssue({
          code: 'custom',
          path: ['kmsKeyArn'],
          message: `must be a key of the copies' account ${policy.account.id}, not of ${keyAccount} (a copy under a key of the scheduler's account would not survive its loss)`,
        });
    }),
  );
export type CopyPolicy = z.infer<typeof CopyPolicySchema>;
