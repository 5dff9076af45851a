import { EC2Client } from '@aws-sdk/client-ec2';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { CopyAccount } from '../domain/copy-policy';
import { Ec2StorageSnapshots } from './ec2-storage-snapshots';
import type { AccountStorageSnapshots, StorageSnapshots } from './storage-snapshots';

/** The session name the other account's CloudTrail shows for the scheduler's calls (STS AssumeRole: RoleSessionName). */
export const VAULT_ROLE_SESSION_NAME = 'cnpg-snapshot-scheduler';

export interface AssumedRoleStorageSnapshotsOptions {
  /** The EC2 client of one Region of the account, signing with the assumed role's credentials. */
  clientOf?: (region: string, credentials: AwsCredentialIdentityProvider) => EC2Client;
  /** The assumed role's credentials (default: STS AssumeRole from the function's own, refreshed before they expire). */
  credentialsOf?: (account: CopyAccount) => AwsCredentialIdentityProvider;
}

/**
 * The storage snapshots of other accounts, each through the role `account.roleArn` there: one credential provider per
 * role (@aws-sdk/credential-providers' fromTemporaryCredentials: STS AssumeRole, cached, renewed before expiry) and
 * one EC2 client per (account, Region), made on first use.
 */
export function assumedRoleStorageSnapshots(options: AssumedRoleStorageSnapshotsOptions = {}): AccountStorageSnapshots {
  const clientOf = options.clientOf ?? ((region, credentials) => new EC2Client({ region, credentials }));
  const credentialsOf =
    options.credentialsOf ??
    ((account: CopyAccount) =>
      fromTemporaryCredentials({ params: { RoleArn: account.roleArn, RoleSessionName: VAULT_ROLE_SESSION_NAME } }));
  const byRole = new Map<string, StorageSnapshots>();
  return (account) => {
    let snapshots = byRole.get(account.roleArn);
    if (!snapshots) {
      const credentials = credentialsOf(account);
      snapshots = new Ec2StorageSnapshots((region) => clientOf(region, credentials));
      byRole.set(account.roleArn, snapshots);
    }
    return snapshots;
  };
}
