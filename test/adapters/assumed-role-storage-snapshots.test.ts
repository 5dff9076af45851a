import { DeleteSnapshotCommand } from '@aws-sdk/client-ec2';
import type { StorageSnapshots } from '../../lambdas/adapters/storage-snapshots';
import { snapshotCopyTags } from '../../lambdas/domain/snapshot-copy-request';
import { AwsApiError } from '../../lambdas/errors';
import { startEc2StandIn, type Ec2StandInServer } from '../../simulator/aws-api/aws-api-stand-ins';
import { SimulatedStorageRegions } from '../../simulator/aws-api/storage-regions';
import { VirtualClock } from '../../simulator/virtual-clock';

/**
 * Copies into another account with the production adapters against the EC2 and STS stand-ins: the scheduler's account
 * shares a source snapshot, the vault account copies it through its role (AssumeRole at the STS stand-in), and the copy
 * is the vault account's alone.
 */

const ACCOUNT = '123456789012';
const VAULT = '444455556666';
const VAULT_ROLE = `arn:aws:iam::${VAULT}:role/cnpg-snapshot-vault`;
const VAULT_ACCOUNT = { id: VAULT, roleArn: VAULT_ROLE };
const PRIMARY = 'eu-west-1';
const DR = 'eu-central-1';
const GIB = 2 ** 30;
const SOURCE_KEY = `arn:aws:kms:${PRIMARY}:${ACCOUNT}:key/aaaaaaaa-2222-4333-8444-555555555555`;
const VAULT_KEY = `arn:aws:kms:${DR}:${VAULT}:key/bbbbbbbb-2222-4333-8444-555555555555`;
const SOURCE = 'snap-00000000000000001';

let clock: VirtualClock;
let primary: SimulatedStorageRegions;
let vault: SimulatedStorageRegions;
let server: Ec2StandInServer;
let vaultSnapshots: StorageSnapshots;

const copyRequest = {
  region: DR,
  sourceRegion: PRIMARY,
  sourceSnapshotId: SOURCE,
  kmsKeyId: VAULT_KEY,
  description: 'cnpg-snapshot-scheduler hendrix backup PG_DATA',
  tags: snapshotCopyTags('hendrix', 'backup', SOURCE),
};

async function start(sourceEncryption = { encrypted: true, kmsKeyId: SOURCE_KEY }): Promise<void> {
  clock = new VirtualClock('2026-12-01T10:00:00Z');
  primary = new SimulatedStorageRegions(ACCOUNT, { [PRIMARY]: sourceEncryption });
  vault = new SimulatedStorageRegions(VAULT);
  server = await startEc2StandIn({
    regions: primary,
    accounts: [vault],
    roles: [{ arn: VAULT_ROLE, trustedAccounts: [ACCOUNT] }],
    now: () => clock.nowMs(),
    copyDurationMs: 60_000,
  });
  vaultSnapshots = server.accountSnapshots(VAULT_ACCOUNT);
  const provider = primary.region(PRIMARY);
  provider.cut(SOURCE, 50 * GIB, clock.nowMs(), 'vol-0000000000001');
  provider.complete(SOURCE);
}

afterEach(async () => {
  await server.close();
});

describe('copies into another account', () => {
  beforeEach(() => start());

  test('a source shared with the vault account is copied there, owned by it, through the assumed role', async () => {
    await server.storageSnapshots.share(PRIMARY, SOURCE, VAULT);
    const id = await vaultSnapshots.copy(copyRequest);
    expect(vault.region(DR).handles()).toEqual([id]);
    expect(primary.region(DR).handles()).toEqual([]);
    // The credentials expire by the virtual clock, so the provider may renew them: each time the same role, by the scheduler.
    expect(server.sts.assumed.length).toBeGreaterThan(0);
    for (const assumed of server.sts.assumed) expect(assumed).toEqual({ roleArn: VAULT_ROLE, callerAccount: ACCOUNT });
    const copy = server.ec2.requests.find((r) => r.action === 'CopySnapshot');
    expect(copy).toEqual({ region: DR, account: VAULT, action: 'CopySnapshot' });
    clock.advance(60_000);
    expect(await vaultSnapshots.describe(DR, [id])).toEqual([
      expect.objectContaining({ id, state: 'completed', encrypted: true, kmsKeyId: VAULT_KEY, tags: copyRequest.tags }),
    ]);
  });

  test('a source not shared with the vault account does not exist for it', async () => {
    const copying = vaultSnapshots.copy(copyRequest);
    await expect(copying).rejects.toBeInstanceOf(AwsApiError);
    await expect(copying).rejects.toMatchObject({ code: 'InvalidSnapshot.NotFound' });
    expect(vault.region(DR).handles()).toEqual([]);
  });

  test('unsharing takes the share back: a later copy is refused, and an absent snapshot is `absent`', async () => {
    await server.storageSnapshots.share(PRIMARY, SOURCE, VAULT);
    expect(primary.region(PRIMARY).details.get(SOURCE)?.sharedWith).toEqual([VAULT]);
    expect(await server.storageSnapshots.unshare(PRIMARY, SOURCE, VAULT)).toBe('unshared');
    expect(primary.region(PRIMARY).details.get(SOURCE)?.sharedWith).toEqual([]);
    await expect(vaultSnapshots.copy(copyRequest)).rejects.toMatchObject({ code: 'InvalidSnapshot.NotFound' });
    expect(await server.storageSnapshots.unshare(PRIMARY, 'snap-0000000000000ffff', VAULT)).toBe('absent');
  });

  test("the scheduler's own credentials can neither delete nor see the vault account's copy", async () => {
    await server.storageSnapshots.share(PRIMARY, SOURCE, VAULT);
    const id = await vaultSnapshots.copy(copyRequest);
    await expect(server.clientOf(DR).send(new DeleteSnapshotCommand({ SnapshotId: id }))).rejects.toMatchObject({
      name: 'InvalidSnapshot.NotFound',
    });
    expect(await server.storageSnapshots.delete(DR, id)).toBe('absent');
    expect(await server.storageSnapshots.describe(DR, [id])).toEqual([]);
    expect(vault.region(DR).handles()).toEqual([id]);
    expect(await vaultSnapshots.delete(DR, id)).toBe('deleted');
    expect(vault.region(DR).handles()).toEqual([]);
  });

  test('a role whose trust policy does not name the scheduler account is not assumed, and nothing is copied', async () => {
    const other = server.accountSnapshots({ id: VAULT, roleArn: `arn:aws:iam::${VAULT}:role/not-trusting` });
    await server.storageSnapshots.share(PRIMARY, SOURCE, VAULT);
    await expect(other.copy(copyRequest)).rejects.toThrow(/AccessDenied|not authorized to perform: sts:AssumeRole/);
    expect(vault.region(DR).handles()).toEqual([]);
  });
});

describe('a source under the default EBS key', () => {
  beforeEach(() => start({ encrypted: true, kmsKeyId: `arn:aws:kms:${PRIMARY}:${ACCOUNT}:key/00000000-0000-4000-8000-0000000e0b5d` }));

  test('cannot be shared with another account', async () => {
    const sharing = server.storageSnapshots.share(PRIMARY, SOURCE, VAULT);
    await expect(sharing).rejects.toMatchObject({ code: 'InvalidParameter' });
    expect(primary.region(PRIMARY).details.get(SOURCE)?.sharedWith).toBeUndefined();
  });
});
